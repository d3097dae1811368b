// The one translation unit that compiles Boost.Beast (BOOST_BEAST_SEPARATE_COMPILATION
// is a PUBLIC definition of hotplex_api). Asio itself is compiled in
// supervisor/asio_impl.cpp.
#include <boost/beast/src.hpp>
// Asio's SSL support (the admin listener's TLS), compiled once here too.
#include <boost/asio/ssl/impl/src.hpp>
