// The one translation unit that compiles Boost.Beast for the whole binary
// (BOOST_BEAST_SEPARATE_COMPILATION is set for hotplex_gateway's sources and
// for hotplex_api; no other library includes Beast). Asio itself is compiled
// in common/asio_impl.cpp.
#include <boost/beast/src.hpp>
// Asio's SSL support (the gateway's upstream TLS, the admin listener's TLS),
// compiled once here too.
#include <boost/asio/ssl/impl/src.hpp>
