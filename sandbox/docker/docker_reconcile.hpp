// DockerReconcile: what the docker backend does with the containers an earlier
// run of the same instance left behind (sandbox/docker/DOCKER.md, "Reconcile").
// Its own header so that configuration code names it without the docker client.
#pragma once

namespace hotplex::sandbox {

enum class DockerReconcile {
  kRemove,  // every leftover is removed; containers end with their attach (StdinOnce)
  kAdopt,   // containers are created adoptable and outlive the supervisor
};

}  // namespace hotplex::sandbox
