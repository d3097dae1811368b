# CMake toolchain file: cross-compile for 64-bit Windows with Debian's MinGW-w64
# (g++-mingw-w64-x86-64-posix: the posix thread model, needed for std::thread).
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(HOTPLEX_MINGW_PREFIX x86_64-w64-mingw32)
set(CMAKE_C_COMPILER ${HOTPLEX_MINGW_PREFIX}-gcc-posix)
set(CMAKE_CXX_COMPILER ${HOTPLEX_MINGW_PREFIX}-g++-posix)
set(CMAKE_RC_COMPILER ${HOTPLEX_MINGW_PREFIX}-windres)
set(CMAKE_FIND_ROOT_PATH /usr/${HOTPLEX_MINGW_PREFIX})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
# Wine runs the test binaries: no MinGW runtime DLLs to ship next to them.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static")
