// The admin listener over TLS (a self-signed certificate made by the openssl
// CLI for the test) and the refusal of a non-loopback admin address without TLS.
#include <cstdlib>

#include "tests/integration/admin/admin_fixture.hpp"

namespace hotplex::testing {
namespace {

class AdminTls : public AdminFixture {
 protected:
  void SetUp() override {
    AdminFixture::SetUp();
    if (HasFatalFailure()) return;
    cert_ = dir_ + "/admin.crt";
    key_ = dir_ + "/admin.key";
    const std::string command =
        "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 "
        "-addext subjectAltName=IP:127.0.0.1 -keyout " +
        key_ + " -out " + cert_ + " >/dev/null 2>&1";
    ASSERT_EQ(std::system(command.c_str()), 0) << "openssl CLI missing or failed: " << command;
  }

  std::string cert_;
  std::string key_;
};

TEST_F(AdminTls, ServesHttpsOnlyWithTheConfiguredCertificate) {
  StopDaemon();
  config_.admin_tls.cert = cert_;
  config_.admin_tls.key = key_;
  StartAdminDaemon();
  httplib::SSLClient client("127.0.0.1", daemon_->AdminPort());
  client.set_ca_cert_path(cert_.c_str());
  client.enable_server_certificate_verification(true);
  client.set_read_timeout(10, 0);
  auto health = client.Get("/healthz");
  ASSERT_TRUE(health) << httplib::to_string(health.error());
  EXPECT_EQ(health->status, 200);
  auto unauthorized = client.Get("/admin/v1/stats");
  ASSERT_TRUE(unauthorized);
  EXPECT_EQ(unauthorized->status, 401);
  auto stats = client.Get("/admin/v1/stats", {{"Authorization", "Bearer " + admin_token_}});
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->status, 200);
  EXPECT_TRUE(json::parse(stats->body).contains("uptime_s"));
  // Plain HTTP on the TLS port gets no HTTP answer.
  httplib::Client plain("127.0.0.1", daemon_->AdminPort());
  plain.set_read_timeout(3, 0);
  auto res = plain.Get("/healthz");
  EXPECT_TRUE(!res || res->status != 200);
}

TEST_F(AdminTls, NonLoopbackWithoutTlsIsRefusedUnlessInsecure) {
  StopDaemon();
  config_.admin = {"0.0.0.0", 0};
  auto refused = api::Daemon::Start(config_, policies_, {{backend_->Kind(), backend_.get()}});
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().Describe().find("without TLS"), std::string::npos)
      << refused.error().Describe();
  config_.admin_tls.insecure = true;
  StartAdminDaemon();
  EXPECT_EQ(Admin("GET", "/healthz", "", "").status, 200);
}

TEST_F(AdminTls, HalfATlsSettingOrABadFileIsAnError) {
  StopDaemon();
  config_.admin_tls.cert = cert_;
  auto half = api::Daemon::Start(config_, policies_, {{backend_->Kind(), backend_.get()}});
  ASSERT_FALSE(half);
  EXPECT_NE(half.error().Describe().find("both"), std::string::npos) << half.error().Describe();
  config_.admin_tls.key = dir_ + "/missing.key";
  auto missing = api::Daemon::Start(config_, policies_, {{backend_->Kind(), backend_.get()}});
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().Describe().find("missing.key"), std::string::npos)
      << missing.error().Describe();
}

}  // namespace
}  // namespace hotplex::testing
