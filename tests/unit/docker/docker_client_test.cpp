#include "sandbox/docker/docker_client.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>

namespace hotplex::sandbox {
namespace {

using ::testing::HasSubstr;

TEST(DockerHttp, ParsesContentLengthBody) {
  auto r = ParseHttpResponse(
      "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\n"
      "Content-Length: 11\r\n\r\n{\"Id\":\"ab\"}");
  ASSERT_TRUE(r) << r.error().Describe();
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(r->body, "{\"Id\":\"ab\"}");
}

TEST(DockerHttp, DecodesChunkedBody) {
  auto r = ParseHttpResponse(
      "HTTP/1.1 200 OK\r\ntransfer-encoding: Chunked\r\n\r\n"
      "4\r\n{\"a\"\r\na\r\n:12345678}\r\n0\r\n\r\n");
  ASSERT_TRUE(r) << r.error().Describe();
  EXPECT_EQ(r->body, "{\"a\":12345678}");
}

TEST(DockerHttp, RejectsMalformedResponses) {
  for (const char* raw : {"", "garbage", "HTTP/1.1 2x0 OK\r\n\r\n", "HTTP/1.1 200 OK\r\n",
                          "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",
                          "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"}) {
    EXPECT_FALSE(ParseHttpResponse(raw)) << raw;
  }
}

TEST(DockerHttp, NoContentHasEmptyBody) {
  auto r = ParseHttpResponse("HTTP/1.1 204 No Content\r\nServer: Docker\r\n\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 204);
  EXPECT_EQ(r->body, "");
}

TEST(DockerApiError, PassesTheDaemonMessageOn) {
  const Error e = DockerApiError("container create",
                                 HttpResponse{400, R"({"message":"invalid mount config"})"});
  EXPECT_EQ(e.Describe(), "docker container create failed (HTTP 400): invalid mount config");
}

TEST(DockerApiError, NonJsonBodyIsQuoted) {
  const Error e = DockerApiError("start", HttpResponse{500, "plain failure"});
  EXPECT_THAT(e.Describe(), HasSubstr("plain failure"));
  EXPECT_THAT(e.Describe(), HasSubstr("HTTP 500"));
}

TEST(DockerApiVersion, ComparesNumerically) {
  EXPECT_EQ(CompareApiVersions("1.41", "1.41"), 0);
  EXPECT_LT(CompareApiVersions("1.9", "1.41"), 0);
  EXPECT_GT(CompareApiVersions("1.43", "1.41"), 0);
  EXPECT_GT(CompareApiVersions("2.0", "1.99"), 0);
}

TEST(DockerSocket, DockerHostUnixWins) {
  ::setenv("DOCKER_HOST", "unix:///run/user/1000/docker.sock", 1);
  auto path = DockerSocketFromEnvironment();
  ::unsetenv("DOCKER_HOST");
  ASSERT_TRUE(path);
  EXPECT_EQ(*path, "/run/user/1000/docker.sock");
  auto fallback = DockerSocketFromEnvironment();
  ASSERT_TRUE(fallback);
  EXPECT_EQ(*fallback, kDefaultDockerSocket);
}

TEST(DockerSocket, TcpDockerHostIsRefused) {
  ::setenv("DOCKER_HOST", "tcp://10.0.0.1:2375", 1);
  auto path = DockerSocketFromEnvironment();
  ::unsetenv("DOCKER_HOST");
  ASSERT_FALSE(path);
  EXPECT_THAT(path.error().Describe(), HasSubstr("only unix://"));
}

TEST(DockerClientConnect, MissingSocketIsAClearError) {
  auto client = DockerClient::Connect("/nonexistent/hotplex/docker.sock");
  ASSERT_FALSE(client);
  EXPECT_THAT(client.error().Describe(), HasSubstr("is dockerd running?"));
  EXPECT_THAT(client.error().Describe(), HasSubstr("/nonexistent/hotplex/docker.sock"));
}

}  // namespace
}  // namespace hotplex::sandbox
