#include "supervisor/gateway/gateway_connection.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>

#include "supervisor/gateway/gateway_state.hpp"
#include "supervisor/gateway/refusal_response.hpp"
#include "supervisor/gateway/upstream_call.hpp"

namespace hotplex::gateway {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using namespace std::chrono_literals;

namespace {

constexpr std::uint32_t kHeaderLimit = 16 * 1024;
// Requests per connection before the gateway closes it (a bound, not a tuning knob).
constexpr int kMaxRequestsPerConnection = 10'000;

// The token as the agent presents it: x-api-key (what the Anthropic SDKs send
// for ANTHROPIC_API_KEY) or Authorization: Bearer (ANTHROPIC_AUTH_TOKEN).
std::string_view PresentedToken(const GatewayConnection::Request& req) {
  auto key = req["x-api-key"];
  if (!key.empty()) return {key.data(), key.size()};
  auto auth = req[http::field::authorization];
  constexpr std::string_view kBearer = "Bearer ";
  std::string_view value(auth.data(), auth.size());
  if (value.size() > kBearer.size() && value.substr(0, kBearer.size()) == kBearer) {
    return value.substr(kBearer.size());
  }
  return {};
}

std::string PathOf(const GatewayConnection::Request& req) {
  std::string_view target(req.target().data(), req.target().size());
  return std::string(target.substr(0, std::min<std::size_t>(target.find('?'), 256)));
}

}  // namespace

GatewayConnection::GatewayConnection(Strand strand, asio::ip::tcp::socket socket,
                                     std::shared_ptr<GatewayState> state, SessionGrant grant,
                                     std::function<void(GatewayConnection*)> on_done)
    : strand_(std::move(strand)),
      client_(std::move(socket)),
      state_(std::move(state)),
      grant_(std::move(grant)),
      on_done_(std::move(on_done)) {}

void GatewayConnection::Start() {
  asio::co_spawn(
      strand_, [self = shared_from_this()]() { return self->Run(); },
      [self = shared_from_this()](std::exception_ptr) {
        // Run() handles its errors as values; an exception here is
        // a bad_alloc or a Beast invariant, and ends only this connection.
        self->Close();
        if (self->on_done_) self->on_done_(self.get());
      });
}

void GatewayConnection::Close() {
  closed_ = true;
  boost::system::error_code ignored;
  client_.socket().close(ignored);
  if (upstream_ != nullptr) upstream_->socket().close(ignored);
}

asio::awaitable<void> GatewayConnection::Run() {
  beast::flat_buffer buffer;
  for (int i = 0; i < kMaxRequestsPerConnection && !closed_; ++i) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(kHeaderLimit);
    parser.body_limit(state_->config.max_request_body_bytes);
    client_.expires_after(state_->config.idle_timeout);
    auto [ec, n] =
        co_await http::async_read(client_, buffer, parser, asio::as_tuple(asio::use_awaitable));
    if (ec == http::error::body_limit) {
      request_start_ = std::chrono::steady_clock::now();
      CallRecord record = NewRecord();
      Refusal too_big{
          413, "request_too_large",
          "model gateway: the request body is over model_gateway.max_request_body_bytes (" +
              std::to_string(state_->config.max_request_body_bytes) + " bytes)"};
      co_await Refuse(parser.get(), too_big, record);
      co_return;
    }
    if (ec) co_return;  // closed, timed out or not HTTP: nothing to answer
    if (!co_await Handle(parser.release())) co_return;
  }
}

// Token, dialect, budget: the first that says no answers the request.
std::optional<Refusal> GatewayConnection::Admit(const Request& req, CallRequest& call) {
  if (!state_->tokens.Verify(grant_.session_id, PresentedToken(req))) {
    return Refusal{401, "authentication_error",
                   "model gateway: invalid x-api-key: use the token this sandbox got in "
                   "ANTHROPIC_API_KEY (a token is valid only inside its own session)"};
  }
  auto inspected = state_->dialect->Inspect(
      std::string_view(req.method_string().data(), req.method_string().size()),
      std::string_view(req.target().data(), req.target().size()), req.body(), grant_.limits);
  if (auto* refusal = std::get_if<Refusal>(&inspected)) return *refusal;
  call = std::get<CallRequest>(inspected);
  if (!call.metered) return std::nullopt;
  auto over = state_->ledger.Exceeded(grant_.tenant, grant_.budget, BudgetLedger::Clock::now());
  if (!over) return std::nullopt;
  if (state_->hooks.on_budget_exceeded) state_->hooks.on_budget_exceeded(grant_.session_id, *over);
  return Refusal{429, "rate_limit_error", "model gateway: budget exceeded: " + *over};
}

asio::awaitable<bool> GatewayConnection::Handle(Request req) {
  request_start_ = std::chrono::steady_clock::now();
  CallRecord record = NewRecord();
  record.method = std::string(req.method_string());
  record.path = PathOf(req);
  CallRequest call;
  if (auto refusal = Admit(req, call)) co_return co_await Refuse(req, *refusal, record);
  record.metered = call.metered;
  const bool keep_alive = req.keep_alive();
  ForwardOutcome outcome =
      co_await ForwardCall(*state_, client_, std::move(req), keep_alive, upstream_);
  record.status = outcome.status;
  record.first_byte = outcome.first_byte;
  if (outcome.upstream_failed) record.refusal = "upstream_unavailable";
  record.usage = outcome.usage;
  if (record.usage.model.empty()) record.usage.model = call.model;
  if (call.metered) {
    state_->ledger.Charge(grant_.tenant, record.usage.Total(), BudgetLedger::Clock::now());
  }
  Report(record);
  co_return outcome.client_ok&& keep_alive && !outcome.upstream_failed && !closed_;
}

asio::awaitable<bool> GatewayConnection::Refuse(const Request& req, const Refusal& refusal,
                                                CallRecord& record) {
  record.status = refusal.status;
  record.refusal = refusal.type;
  const bool keep_alive = req.keep_alive() && refusal.status != 413;
  const bool ok = co_await SendRefusal(client_, *state_->dialect, refusal, keep_alive,
                                       state_->config.idle_timeout);
  Report(record);
  co_return ok;
}

CallRecord GatewayConnection::NewRecord() const {
  CallRecord record;
  record.session_id = grant_.session_id;
  record.tenant = grant_.tenant;
  return record;
}

void GatewayConnection::Report(CallRecord& record) {
  record.latency = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - request_start_);
  if (state_->hooks.on_call) state_->hooks.on_call(record);
}

}  // namespace hotplex::gateway
