#include "sandbox/docker/docker_container_spec.hpp"

#include <sys/stat.h>

#include <cmath>

namespace hotplex::sandbox {
namespace {

using nlohmann::json;

Status CheckSource(const std::string& path, const char* what) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return ErrnoError(what, path);
  if (S_ISLNK(st.st_mode)) {
    return Error{path + " is a symlink; refusing to bind-mount it", ELOOP, what};
  }
  return {};
}

std::string Bind(const std::string& source, const std::string& target, bool writable) {
  return source + ":" + (target.empty() ? source : target) + (writable ? ":rw" : ":ro");
}

// The sources were pinned, checked against the docker socket by identity and
// staged where needed (ResolveDockerBindSources): only the targets come from the spec.
json ResolvedBinds(const SandboxSpec& spec, const DockerBindSources& sources) {
  json binds = json::array();
  binds.push_back(Bind(sources.workdir,
                       spec.workdir_inside.empty() ? spec.workdir : spec.workdir_inside, true));
  if (!spec.home_source.empty()) binds.push_back(Bind(sources.home, spec.home_inside, true));
  for (std::size_t i = 0; i < spec.mounts.size() && i < sources.mounts.size(); ++i) {
    const BindMount& m = spec.mounts[i];
    binds.push_back(Bind(sources.mounts[i], m.target.empty() ? m.source : m.target,
                         m.mode == MountMode::kReadWrite));
  }
  return binds;
}

Result<json> Binds(const SandboxSpec& spec, const DockerCreateParams& params) {
  if (params.sources) {
    if (params.sources->mounts.size() != spec.mounts.size()) {
      return MakeError("docker bind sources do not match the spec's mounts");
    }
    return ResolvedBinds(spec, *params.sources);
  }
  json binds = json::array();
  HOTPLEX_TRY_STATUS(CheckSource(spec.workdir, "workdir"));
  binds.push_back(Bind(spec.workdir, spec.workdir_inside, true));
  if (!spec.home_source.empty()) {
    HOTPLEX_TRY_STATUS(CheckSource(spec.home_source, "home"));
    binds.push_back(Bind(spec.home_source, spec.home_inside, true));
  }
  for (const BindMount& m : spec.mounts) {
    HOTPLEX_TRY_STATUS(CheckSource(m.source, "mount"));
    const std::string& sock = params.docker_socket;
    if (!sock.empty() && (m.source == sock || sock.rfind(m.source + "/", 0) == 0)) {
      return MakeError("refusing to mount the docker socket into a sandbox");
    }
    binds.push_back(Bind(m.source, m.target, m.mode == MountMode::kReadWrite));
  }
  return binds;
}

json Labels(const SandboxSpec& spec, const DockerCreateParams& params) {
  json labels = json::object();
  for (const auto& [key, value] : spec.labels) labels[key] = value;
  labels[kLabelManaged] = "true";
  labels[kLabelInstance] = params.instance;
  if (!spec.id.empty()) labels[kLabelSession] = spec.id;
  if (params.adoptable) labels[kLabelAdoptable] = "true";
  return labels;
}

json HostConfig(const SandboxSpec& spec, const DockerCreateParams& params, json binds) {
  json tmpfs = {{"/tmp", "rw,nosuid,nodev,size=" + std::to_string(params.tmp_bytes)}};
  if (spec.home_source.empty()) {
    tmpfs[spec.home_inside] = "rw,nosuid,nodev,size=" + std::to_string(params.tmp_bytes) +
                              ",uid=" + std::to_string(spec.identity.host_uid) +
                              ",gid=" + std::to_string(spec.identity.host_gid);
  }
  json security = json::array({"no-new-privileges:true"});
  security.push_back(params.seccomp_json.empty() ? std::string("seccomp=unconfined")
                                                 : "seccomp=" + params.seccomp_json);
  json host = {
      {"Binds", std::move(binds)},
      {"ReadonlyRootfs", true},
      {"Tmpfs", std::move(tmpfs)},
      {"CapDrop", {"ALL"}},
      {"SecurityOpt", std::move(security)},
      {"NetworkMode", spec.network == NetworkMode::kHost ? "host" : "none"},
      {"Init", true},
      {"AutoRemove", false},
      // Read back by a re-adopting supervisor (DockerClient::NewestLineSince).
      {"LogConfig",
       {{"Type", "json-file"}, {"Config", {{"max-size", kLogMaxSize}, {"max-file", "1"}}}}},
      {"Privileged", false}};
  const Limits& l = spec.limits;
  if (l.memory_bytes > 0) {
    host["Memory"] = l.memory_bytes;
    host["MemorySwap"] = l.memory_bytes;  // equal: no swap on top
  }
  if (l.cpu_cores > 0)
    host["NanoCpus"] = static_cast<std::int64_t>(std::llround(l.cpu_cores * 1e9));
  if (l.pids > 0) host["PidsLimit"] = l.pids;
  if (l.open_files > 0) {
    host["Ulimits"] =
        json::array({{{"Name", "nofile"}, {"Soft", l.open_files}, {"Hard", l.open_files}}});
  }
  return host;
}

// With an egress hook the payload must not run before the supervisor's
// listeners exist in the container's network namespace, which only exists once
// the container runs: a shell reads exactly one byte of stdin (dd bs=1, never
// more of the agent's input) and only then execs the payload. The backend
// sends that byte after the hook succeeded (DockerSandbox::ReleaseGate).
json GatedCommand(const std::vector<std::string>& argv) {
  json cmd = {"/bin/sh", "-c", "dd bs=1 count=1 of=/dev/null status=none || exit 125; exec \"$@\"",
              "hotplex-egress-gate"};
  for (const auto& a : argv) cmd.push_back(a);
  return cmd;
}

}  // namespace

Result<json> DockerCreateBody(const SandboxSpec& spec, const DockerCreateParams& params) {
  if (spec.argv.empty()) return MakeError("empty argv");
  if (spec.identity.host_uid == 0 || spec.identity.host_gid == 0) {
    return MakeError("refusing to run a docker sandbox as host root (uid/gid 0)");
  }
  if (params.image.empty()) return MakeError("no docker image given (policy sandbox.image)");
  HOTPLEX_TRY(json binds, Binds(spec, params));
  const std::string workdir = spec.workdir_inside.empty() ? spec.workdir : spec.workdir_inside;
  json body = {{"Image", params.image},
               {"Cmd", spec.network_ready ? GatedCommand(spec.argv) : json(spec.argv)},
               {"Env", spec.env},
               {"User", std::to_string(spec.identity.host_uid) + ":" +
                            std::to_string(spec.identity.host_gid)},
               {"WorkingDir", workdir},
               {"AttachStdin", true},
               {"AttachStdout", true},
               {"AttachStderr", true},
               {"OpenStdin", true},
               // StdinOnce: the end of our attach closes the payload's stdin (its EOF),
               // except for adoptable containers, which must outlive this supervisor.
               {"StdinOnce", !params.adoptable},
               {"Tty", false},
               {"NetworkDisabled", spec.network != NetworkMode::kHost},
               {"Labels", Labels(spec, params)},
               {"HostConfig", HostConfig(spec, params, std::move(binds))}};
  // Docker refuses a hostname together with the host's network namespace.
  if (!spec.id.empty() && spec.network != NetworkMode::kHost)
    body["Hostname"] = "hotplex-" + spec.id;
  return body;
}

}  // namespace hotplex::sandbox
