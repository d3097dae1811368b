// Sub-command entry points of the hotplexd binary. Each lives in its own
// cli_<name>.cpp and receives the arguments after the sub-command name.
#pragma once

namespace hotplex::cli {

int RunMain(int argc, char** argv);      // hotplexd run: the standalone sandbox front end
int VersionMain(int argc, char** argv);  // hotplexd version
int PolicyMain(int argc, char** argv);   // hotplexd policy check|show|explain
int ServeMain(int argc, char** argv);    // hotplexd serve: the daemon (HTTP/SSE/WebSocket API)
// The management CLI (cli_admin.cpp): clients of the admin API (api/ADMIN.md).
int StatusMain(int argc, char** argv);        // hotplexd status
int SessionMain(int argc, char** argv);       // hotplexd session list|show|kill|logs
int AuditMain(int argc, char** argv);         // hotplexd audit query|export|verify
int PolicyReloadMain(int argc, char** argv);  // hotplexd policy reload (argv after "reload")
int ConfigMain(int argc, char** argv);        // hotplexd config validate FILE
int ChatMain(int argc, char** argv);          // hotplexd chat: a terminal client of the tenant API
int DoctorMain(int argc, char** argv);        // hotplexd doctor: local checks, PASS/WARN/FAIL

}  // namespace hotplex::cli
