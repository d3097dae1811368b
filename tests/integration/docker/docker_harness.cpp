#include "docker_harness.hpp"

#include <unistd.h>

#include <cstdlib>

#include "sandbox/docker/docker_container_spec.hpp"

namespace hotplex::sandbox::testing {

std::string DockerTestImage() {
  const char* image = std::getenv("HOTPLEX_DOCKER_TEST_IMAGE");
  return image && *image ? image : "hotplex/sandbox-test";
}

DockerOptions TestDockerOptions() {
  DockerOptions options;
  options.default_image = DockerTestImage();
  options.instance = "test-" + std::to_string(::getpid());
  return options;
}

std::size_t CountInstanceContainers(const DockerClient& client) {
  auto ids = client.ListByLabel(kLabelInstance, TestDockerOptions().instance);
  EXPECT_TRUE(ids) << ids.error().Describe();
  return ids ? ids->size() : 0;
}

void DockerSandboxTest::SetUp() {
  workdir_ = MakeTempDir("hotplex-dkr", kTestUid, kTestGid);
  auto backend = MakeDockerBackend(TestDockerOptions());
  ASSERT_TRUE(backend) << "the docker backend tests need a running dockerd (scripts/docker-setup): "
                       << backend.error().Describe();
  auto image = static_cast<DockerBackend&>(**backend).Client().EnsureImage(DockerTestImage());
  ASSERT_TRUE(image) << image.error().Describe();
  backend_ = std::move(*backend);
}

const DockerClient& DockerSandboxTest::Client() const {
  return static_cast<const DockerBackend&>(*backend_).Client();
}

}  // namespace hotplex::sandbox::testing
