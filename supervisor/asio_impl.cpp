// The one translation unit that compiles Boost.Asio (BOOST_ASIO_SEPARATE_COMPILATION
// is a PUBLIC definition of hotplex_supervisor, so every other file only sees
// declarations).
#include <boost/asio/impl/src.hpp>
