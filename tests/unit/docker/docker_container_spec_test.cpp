#include "sandbox/docker/docker_container_spec.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "tests/support/temp_dir.hpp"

namespace hotplex::sandbox {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

class DockerCreateBodyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directory(dir_ + "/work");
    std::filesystem::create_directory(dir_ + "/home");
    spec_.id = "s1";
    spec_.argv = {"claude", "-p"};
    spec_.env = {"PATH=/usr/bin:/bin", "HOME=/home/agent"};
    spec_.workdir = dir_ + "/work";
    spec_.home_source = dir_ + "/home";
    spec_.identity.host_uid = 61000;
    spec_.identity.host_gid = 61001;
    spec_.limits.memory_bytes = 512ull << 20;
    spec_.limits.pids = 100;
    spec_.limits.cpu_cores = 1.5;
    spec_.limits.open_files = 2048;
    spec_.labels["io.hotplex.tenant"] = "acme";
    params_.image = "hotplex/sandbox-python";
    params_.instance = "hotplexd";
    params_.seccomp_json = R"({"defaultAction":"SCMP_ACT_ALLOW"})";
    params_.docker_socket = dir_ + "/sock/docker.sock";
  }

  hotplex::testing::TempDir tmp_{"hotplex-dcs"};
  const std::string dir_ = tmp_.Path();
  SandboxSpec spec_;
  DockerCreateParams params_;
};

TEST_F(DockerCreateBodyTest, AdoptableContainersKeepStdinAndSayWhy) {
  auto plain = DockerCreateBody(spec_, params_);
  ASSERT_TRUE(plain) << plain.error().Describe();
  EXPECT_EQ((*plain)["StdinOnce"], true) << "the end of our attach is the payload's EOF";
  EXPECT_FALSE((*plain)["Labels"].contains("io.hotplex.adoptable"));
  params_.adoptable = true;
  auto adoptable = DockerCreateBody(spec_, params_);
  ASSERT_TRUE(adoptable) << adoptable.error().Describe();
  EXPECT_EQ((*adoptable)["StdinOnce"], false) << "stdin must outlive this supervisor";
  EXPECT_EQ((*adoptable)["Labels"]["io.hotplex.adoptable"], "true");
  for (const json* b : {&*plain, &*adoptable}) {
    EXPECT_EQ((*b)["HostConfig"]["LogConfig"],
              json::parse(R"({"Type":"json-file","Config":{"max-size":"16m","max-file":"1"}})"));
  }
}

TEST_F(DockerCreateBodyTest, CarriesEveryHardeningOption) {
  auto body = DockerCreateBody(spec_, params_);
  ASSERT_TRUE(body) << body.error().Describe();
  const json& b = *body;
  EXPECT_EQ(b["Image"], "hotplex/sandbox-python");
  EXPECT_EQ(b["Cmd"], json::array({"claude", "-p"}));
  EXPECT_EQ(b["User"], "61000:61001");
  EXPECT_EQ(b["WorkingDir"], dir_ + "/work");
  EXPECT_EQ(b["Hostname"], "hotplex-s1");
  EXPECT_EQ(b["Tty"], false);
  EXPECT_EQ(b["OpenStdin"], true);
  EXPECT_EQ(b["StdinOnce"], true);
  EXPECT_EQ(b["Labels"]["io.hotplex.tenant"], "acme");
  EXPECT_EQ(b["Labels"]["io.hotplex.session"], "s1");
  EXPECT_EQ(b["Labels"]["io.hotplex.instance"], "hotplexd");
  const json& h = b["HostConfig"];
  EXPECT_EQ(h["Binds"],
            json::array({dir_ + "/work:" + dir_ + "/work:rw", dir_ + "/home:/home/agent:rw"}));
  EXPECT_EQ(h["ReadonlyRootfs"], true);
  EXPECT_THAT(h["Tmpfs"]["/tmp"].get<std::string>(), HasSubstr("nosuid"));
  EXPECT_EQ(h["CapDrop"], json::array({"ALL"}));
  EXPECT_EQ(h["SecurityOpt"], json::array({"no-new-privileges:true",
                                           "seccomp={\"defaultAction\":\"SCMP_ACT_ALLOW\"}"}));
  EXPECT_EQ(h["NetworkMode"], "none");
  EXPECT_EQ(h["Init"], true);
  EXPECT_EQ(h["Memory"], 512ull << 20);
  EXPECT_EQ(h["MemorySwap"], 512ull << 20);
  EXPECT_EQ(h["NanoCpus"], 1500000000);
  EXPECT_EQ(h["PidsLimit"], 100);
  EXPECT_EQ(h["Ulimits"][0]["Soft"], 2048);
  EXPECT_FALSE(h.contains("Privileged") && h["Privileged"] == true);
}

TEST_F(DockerCreateBodyTest, HomeWithoutSourceIsATmpfsOwnedByTheUser) {
  spec_.home_source.clear();
  auto body = DockerCreateBody(spec_, params_);
  ASSERT_TRUE(body);
  EXPECT_THAT((*body)["HostConfig"]["Tmpfs"]["/home/agent"].get<std::string>(),
              HasSubstr("uid=61000,gid=61001"));
  EXPECT_EQ((*body)["HostConfig"]["Binds"].size(), 1u);
}

TEST_F(DockerCreateBodyTest, NoSeccompMeansUnconfinedExplicitly) {
  params_.seccomp_json.clear();
  auto body = DockerCreateBody(spec_, params_);
  ASSERT_TRUE(body);
  EXPECT_EQ((*body)["HostConfig"]["SecurityOpt"][1], "seccomp=unconfined");
}

TEST_F(DockerCreateBodyTest, HostNetworkOnlyWhenAsked) {
  spec_.network = NetworkMode::kLoopback;
  EXPECT_EQ((*DockerCreateBody(spec_, params_))["HostConfig"]["NetworkMode"], "none");
  spec_.network = NetworkMode::kHost;
  auto body = DockerCreateBody(spec_, params_);
  EXPECT_EQ((*body)["HostConfig"]["NetworkMode"], "host");
  EXPECT_FALSE(body->contains("Hostname"));
}

TEST_F(DockerCreateBodyTest, ExtraMountsKeepTheirMode) {
  spec_.mounts.push_back({dir_ + "/home", "/data", MountMode::kReadOnly});
  spec_.mounts.push_back({dir_ + "/work", "/scratch", MountMode::kReadWrite});
  auto body = DockerCreateBody(spec_, params_);
  ASSERT_TRUE(body);
  EXPECT_EQ((*body)["HostConfig"]["Binds"][2], dir_ + "/home:/data:ro");
  EXPECT_EQ((*body)["HostConfig"]["Binds"][3], dir_ + "/work:/scratch:rw");
}

struct Refusal {
  const char* name;
  void (*mutate)(SandboxSpec&, const std::string& dir);
  const char* message;
};

void PrintTo(const Refusal& r, std::ostream* os) { *os << r.name; }

class DockerCreateBodyRefuses : public DockerCreateBodyTest,
                                public ::testing::WithParamInterface<Refusal> {};

TEST_P(DockerCreateBodyRefuses, BadSpec) {
  GetParam().mutate(spec_, dir_);
  auto body = DockerCreateBody(spec_, params_);
  ASSERT_FALSE(body);
  EXPECT_THAT(body.error().Describe(), HasSubstr(GetParam().message));
}

INSTANTIATE_TEST_SUITE_P(
    Docker, DockerCreateBodyRefuses,
    ::testing::Values(
        Refusal{"EmptyArgv", [](SandboxSpec& s, const std::string&) { s.argv.clear(); }, "argv"},
        Refusal{"RootUid", [](SandboxSpec& s, const std::string&) { s.identity.host_uid = 0; },
                "root"},
        Refusal{"RootGid", [](SandboxSpec& s, const std::string&) { s.identity.host_gid = 0; },
                "root"},
        Refusal{"MissingWorkdir",
                [](SandboxSpec& s, const std::string& d) { s.workdir = d + "/nope"; }, "nope"},
        Refusal{"SymlinkWorkdir",
                [](SandboxSpec& s, const std::string& d) {
                  std::filesystem::create_directory_symlink(d + "/work", d + "/link");
                  s.workdir = d + "/link";
                },
                "symlink"},
        Refusal{"DockerSocketMount",
                [](SandboxSpec& s, const std::string& d) {
                  std::filesystem::create_directory(d + "/sock");
                  s.mounts.push_back({d + "/sock", "/var/run/docker.sock", MountMode::kReadOnly});
                },
                "docker socket"}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace hotplex::sandbox
