// The one translation unit that compiles Boost.Asio (BOOST_ASIO_SEPARATE_COMPILATION
// is a PUBLIC definition of hotplex_asio, so every other file only sees
// declarations). Its own library so that both supervisor/ and supervisor/egress/
// can link it.
#include <boost/asio/impl/src.hpp>
