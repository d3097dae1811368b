// The built-in rule table. Atoms are RE2, searched in the normalised text of
// the rule's scope padded with one space at each end, so ` -r ` is the word
// "-r" and `^ rm ` is a line whose program is rm.
#include "policies/builtin_rules.hpp"

#include <algorithm>

namespace hotplex::policies {
namespace {

constexpr Level kCrit = Level::kCritical;
constexpr Level kHigh = Level::kHigh;
constexpr Level kMed = Level::kMedium;
constexpr Level kLow = Level::kLow;
constexpr RuleScope kCmd = RuleScope::kCommand;
constexpr RuleScope kPipe = RuleScope::kPipeline;
constexpr RuleScope kScript = RuleScope::kScript;
constexpr RuleScope kRaw = RuleScope::kRaw;

// Top-level system directories and the home directory, as whole words.
#define HX_SYS                                                                                     \
  "(?:bin|boot|dev|etc|home|lib|lib32|lib64|libx32|media|mnt|opt|proc|root|run|sbin|snap|srv|sys|" \
  "usr|var|nix)"
#define HX_ROOT_TARGET                               \
  " (?:/|/\\*|/\\.\\*|/[^ /]*[*?\\[][^ /]*|/" HX_SYS \
  "(?:/\\*)?|/usr/(?:bin|lib|lib64|local|sbin|share)|/var/lib) "
#define HX_HOME "(?:~|\\$HOME|/root|/home/[^/ ]+)"
#define HX_HOME_TARGET " (?:" HX_HOME "(?:/\\*|/\\.\\*)?|/home/\\*|~[a-z_][a-z0-9_-]*) "
#define HX_WRITE_REDIRECT "(?:[0-9]*>|[0-9]*>>|>\\||&>|&>>) "
#define HX_SHELL "(?:sh|bash|dash|zsh|ksh|ash|mksh|fish)"
#define HX_SHELL_CONSUMER "\\| " HX_SHELL "(?: [^|]*)? (?:\\||$)"
#define HX_INTERP_CONSUMER "\\| (?:python[0-9.]*|perl|ruby|node|php|lua)(?: -)? (?:\\||$)"
#define HX_FETCH "(?:^ |\\| )(?:curl|wget|fetch|aria2c|http|https|lwp-request|GET) "
#define HX_NET_CONSUMER \
  "\\| (?:curl|wget|nc|ncat|netcat|socat|telnet|ssh|scp|openssl|sendmail|mail)(?: |$)"
#define HX_DEVICE                                                                                \
  "/dev/"                                                                                        \
  "(?:sd[a-z]|hd[a-z]|vd[a-z]|xvd[a-z]|nvme[0-9]|mmcblk[0-9]|disk[0-9]|md[0-9]|dm-[0-9]|mapper/" \
  "|loop[0-9]|sr[0-9]|rdisk[0-9]|mem |kmem |port )"
#define HX_DB_CLIENT_STAGE                                                                       \
  "\\| "                                                                                         \
  "(?:psql|mysql|mariadb|sqlite3|duckdb|sqlcmd|clickhouse-client|cockroach|mongosh|mongo|cqlsh|" \
  "pgcli|mycli|litecli|usql) "
#define HX_SECRET_FILE                                                                        \
  "(?:\\.(?:aws|ssh|kube|gnupg|docker)(?: |/|$)|\\.ssh/(?:id_|[^ "                            \
  "]*_key|identity)|\\.aws/credentials|\\.netrc|\\.git-credentials|\\.kube/config|\\.docker/" \
  "config\\.json|/etc/shadow|/etc/gshadow|/environ|\\.pgpass|\\.npmrc|\\.pypirc|\\.gnupg/)"

const std::vector<std::string_view> kDbClients = {
    "psql",      "mysql", "mariadb", "sqlite3", "duckdb", "sqlcmd", "clickhouse-client",
    "cockroach", "pgcli", "mycli",   "litecli", "usql"};

// One rule per entry reads better than a 100-column reflow of the patterns.
// clang-format off
const std::vector<BuiltinRule>& Table() {
  static const std::vector<BuiltinRule> kRules = {
      // --- destructive file operations -----------------------------------------
      {"destructive.rm-root", "destructive", kCrit, kCmd, {"rm"}, {" -r ", HX_ROOT_TARGET}, {},
       "recursive rm of '/' or a top-level system directory would destroy the system. Delete only paths inside your working directory, e.g. `rm -rf ./build`."},
      {"destructive.rm-no-preserve-root", "destructive", kCrit, kCmd, {"rm"}, {" --no-preserve-root "}, {},
       "--no-preserve-root exists only to delete '/'. Delete specific paths inside your working directory instead."},
      {"destructive.rm-home", "destructive", kCrit, kCmd, {"rm"}, {" -r ", HX_HOME_TARGET}, {},
       "recursive rm of the home directory would destroy the user's files. Delete a specific subdirectory of your working directory instead."},
      {"destructive.rm-parent", "destructive", kHigh, kCmd, {"rm"}, {" -r ", " \\.\\.(?:/\\.\\.)*(?:/\\*)? "}, {},
       "recursive rm of a parent directory reaches outside your working directory. Name the directory to delete inside the working directory."},
      {"destructive.rm-wildcard-cwd", "destructive", kMed, kCmd, {"rm"}, {" -r ", " (?:\\*|\\.|\\./\\*|\\.\\*) "}, {},
       "recursive rm of everything in the current directory needs confirmation. Name the files or directories to delete instead of '*' or '.'."},
      {"destructive.rm-git-dir", "destructive", kMed, kCmd, {"rm"}, {" -r ", " (?:\\./)?\\.git "}, {},
       "deleting .git destroys the repository history. Use git commands (git clean, git restore) to tidy the tree instead."},
      {"destructive.find-delete-root", "destructive", kCrit, kCmd, {"find"}, {" (?:/|/" HX_SYS "|" HX_HOME ") ", " (?:-delete|-exec(?:dir)? (?:rm|shred|unlink)) "}, {},
       "find with -delete or -exec rm over '/', a system directory or the home directory would delete far too much. Search from '.' inside your working directory."},
      {"destructive.shred-system", "destructive", kHigh, kCmd, {"shred", "srm", "wipe"}, {" (?:/dev/|/etc/|/boot|/usr/|/var/|/bin/|/lib|/home|/root|~|\\$HOME)"}, {},
       "shredding system or home files is irreversible. Only overwrite files you created inside your working directory."},
      {"destructive.truncate-system", "destructive", kHigh, kCmd, {"truncate"}, {" /(?:etc|boot|usr|var|bin|sbin|lib|lib64|root|home)(?:/| )"}, {},
       "truncating system files would break the system. Truncate only files inside your working directory."},
      {"destructive.overwrite-system-file", "destructive", kHigh, kCmd, {}, {HX_WRITE_REDIRECT "/(?:etc|boot|usr|bin|sbin|lib|lib64|lib32)/"}, {},
       "redirecting output into system files (/etc, /usr, /boot, ...) is not allowed. Write inside your working directory instead."},
      {"destructive.chmod-recursive-root", "destructive", kHigh, kCmd, {"chmod"}, {" -R ", HX_ROOT_TARGET}, {},
       "recursive chmod of '/' or a system directory breaks the system's permissions. Change modes only under your working directory."},
      {"destructive.chown-recursive-root", "destructive", kHigh, kCmd, {"chown", "chgrp"}, {" -R ", HX_ROOT_TARGET}, {},
       "recursive chown of '/' or a system directory breaks the system. Change ownership only under your working directory."},
      {"destructive.chmod-recursive-home", "destructive", kHigh, kCmd, {"chmod", "chown", "chgrp"}, {" -R ", HX_HOME_TARGET}, {},
       "recursive permission changes on the home directory are not allowed. Limit them to your working directory."},
      {"destructive.mv-root", "destructive", kHigh, kCmd, {"mv"}, {" (?:/|/\\*|/" HX_SYS "|~|\\$HOME) "}, {},
       "moving '/', a system directory or the home directory would wreck the system. Move only files inside your working directory."},
      {"destructive.rsync-delete-root", "destructive", kHigh, kCmd, {"rsync"}, {" --delete\\S* ", " (?:/|/" HX_SYS "|~|\\$HOME) $"}, {},
       "rsync --delete into '/', a system directory or home would delete files there. Sync into a directory inside your working directory."},
      {"destructive.wipe-with-dd-file", "destructive", kHigh, kCmd, {"dd"}, {" of=/(?:etc|boot|usr|bin|sbin|lib)"}, {},
       "dd over system files is not allowed. Write dd output inside your working directory."},
      // --- disks and filesystems ------------------------------------------------
      {"disk.mkfs", "disk", kCrit, kCmd, {}, {"^ (?:mkfs(?:\\.[a-z0-9]+)?|mke2fs|mkntfs|mkdosfs|mkswap|mkfs\\.[a-z0-9]+) "}, {},
       "creating a filesystem erases a disk. Disk administration is not allowed in the sandbox; ask an operator."},
      {"disk.dd-device", "disk", kCrit, kCmd, {"dd"}, {" of=" HX_DEVICE}, {},
       "dd onto a block device destroys its contents. Write dd output to a file in your working directory instead."},
      {"disk.redirect-device", "disk", kCrit, kCmd, {}, {HX_WRITE_REDIRECT HX_DEVICE}, {},
       "writing into a block device or /dev/mem destroys data. Write to a file in your working directory instead."},
      {"disk.copy-to-device", "disk", kCrit, kCmd, {"cp", "cat", "tee", "pv"}, {" " HX_DEVICE}, {"^ cat [^>]*$"},
       "copying onto a block device destroys its contents. Copy into your working directory instead."},
      {"disk.wipefs", "disk", kCrit, kCmd, {"wipefs", "blkdiscard", "sgdisk"}, {}, {" -p "},
       "wiping filesystem signatures or discarding blocks erases a disk. Disk administration is not allowed in the sandbox."},
      {"disk.partition", "disk", kHigh, kCmd, {"fdisk", "sfdisk", "parted", "gdisk", "cfdisk"}, {}, {" -l ", " --list "},
       "partitioning tools rewrite disks. Disk administration is not allowed in the sandbox; listing with -l is fine."},
      {"disk.secure-erase", "disk", kCrit, kCmd, {"hdparm", "nvme"}, {" (?:--security-erase\\S*|--trim-sector-ranges|format|sanitize) "}, {},
       "secure-erase and format commands destroy a disk. Not allowed in the sandbox."},
      {"disk.lvm-remove", "disk", kHigh, kCmd, {"lvremove", "vgremove", "pvremove", "lvreduce"}, {}, {},
       "removing LVM volumes destroys data. Volume administration is not allowed in the sandbox."},
      {"disk.zfs-destroy", "disk", kHigh, kCmd, {"zfs", "zpool", "btrfs"}, {" (?:destroy|delete|labelclear) "}, {},
       "destroying pools, datasets or subvolumes deletes data. Not allowed in the sandbox."},
      {"disk.luks-format", "disk", kCrit, kCmd, {"cryptsetup"}, {" (?:luksFormat|erase|luksErase|reencrypt) "}, {},
       "formatting or erasing an encrypted volume destroys its data. Not allowed in the sandbox."},
      // --- fork bombs and resource exhaustion ----------------------------------
      {"fork-bomb.shell-function", "fork-bomb", kCrit, kRaw, {}, {"\\(\\)\\{[^}]*\\|[^}]*&"}, {},
       "this is a fork bomb (a function that pipes into itself in the background). If you need parallelism, use `xargs -P` or `make -j` with a bound."},
      {"fork-bomb.perl", "fork-bomb", kCrit, kCmd, {"perl"}, {"fork ?while ?fork|while ?\\(?1\\)? ?\\{? ?fork|fork ?until|for ?\\(;;\\) ?\\{? ?fork"}, {},
       "this perl one-liner forks without bound (a fork bomb). Use bounded parallelism instead."},
      {"fork-bomb.python", "fork-bomb", kCrit, kCmd, {}, {"^ python[0-9.]* ", "os\\.fork\\(\\)", "while"}, {},
       "this python one-liner forks in a loop (a fork bomb). Use bounded parallelism such as multiprocessing.Pool(4)."},
      {"fork-bomb.loop-spawn", "fork-bomb", kHigh, kRaw, {}, {"(?:while(?:true|:|1|\\[1\\]|\\(\\(1\\)\\));do|for\\(\\(;;\\)\\);do)[^;]*(?:sh|\\$0|fork)[^;]*&"}, {},
       "an endless loop that spawns background shells exhausts the process table. Use bounded parallelism."},
      // --- privilege escalation -------------------------------------------------
      {"privilege.sudo", "privilege", kHigh, kCmd, {"sudo"}, {}, {},
       "sudo is not available: the agent runs unprivileged in its sandbox. Run the command without sudo; install tools in the user's home or the working directory (e.g. `pip install --user`, `npm install` locally)."},
      {"privilege.su", "privilege", kHigh, kCmd, {"su", "sg"}, {}, {},
       "switching users is not allowed in the sandbox. Run the command as the current user."},
      {"privilege.doas-pkexec", "privilege", kHigh, kCmd, {"doas", "pkexec", "runuser", "sudoedit"}, {}, {},
       "privilege escalation tools are not allowed in the sandbox. Run the command as the current user."},
      {"privilege.setuid-bit", "privilege", kHigh, kCmd, {"chmod"}, {" (?:[ao]*\\+[rwxXt]*s[rwxXt]*|[go]*u[go]*[+=][rwxXt]*s[rwxXt]*|0?[4-7][0-7]{3}) "}, {},
       "setting the setuid/setgid bit creates a privilege-escalation path. Use ordinary modes such as 755 or 644."},
      {"privilege.setcap", "privilege", kHigh, kCmd, {"setcap", "capsh"}, {}, {},
       "changing file capabilities is privilege escalation and not allowed in the sandbox."},
      {"privilege.sudoers", "privilege", kHigh, kCmd, {}, {"/etc/sudoers|^ visudo "}, {},
       "the sudoers configuration is off limits. Run commands as the current user."},
      {"privilege.user-admin", "privilege", kHigh, kCmd, {"useradd", "usermod", "userdel", "groupadd", "groupmod", "adduser", "deluser", "passwd", "chpasswd", "gpasswd", "newusers", "chage"}, {}, {},
       "managing users, groups or passwords is not allowed in the sandbox."},
      {"privilege.chown-root", "privilege", kMed, kCmd, {"chown"}, {" root(?::\\S*)? "}, {},
       "giving files to root needs confirmation; files you create should stay owned by the current user."},
      {"privilege.passwd-file-edit", "privilege", kHigh, kCmd, {"tee", "sed", "cp", "mv", "ln", "install", "vipw"}, {" /etc/(?:passwd|group|shadow|gshadow)(?: |$)"}, {" -n "},
       "editing the system's user database is not allowed. Work inside your working directory."},
      // --- reverse and bind shells ------------------------------------------------
      {"reverse-shell.dev-tcp", "reverse-shell", kCrit, kCmd, {}, {"/dev/(?:tcp|udp)/"}, {},
       "bash's /dev/tcp and /dev/udp open raw network connections (a classic reverse shell). Use an HTTP client against an allowed service instead."},
      {"reverse-shell.netcat-exec", "reverse-shell", kCrit, kCmd, {"nc", "ncat", "netcat", "nc.traditional", "nc.openbsd", "busybox"}, {" -(?:e|c) "}, {},
       "netcat with -e/-c hands a shell to the network (a reverse or bind shell). Not allowed."},
      {"reverse-shell.socat-exec", "reverse-shell", kCrit, kCmd, {"socat"}, {"(?i)(?:exec|system):|pty"}, {},
       "socat connecting a program or pty to a socket is a remote shell. Not allowed."},
      {"reverse-shell.shell-over-network", "reverse-shell", kCrit, kPipe, {}, {"(?:^ |\\| )(?:nc|ncat|netcat|telnet|openssl|socat)(?: |$)", "(?:^ |\\| )" HX_SHELL "(?: -i)?(?: |$)"}, {},
       "piping a shell to or from a network tool is a reverse shell. Not allowed."},
      {"reverse-shell.mkfifo-netcat", "reverse-shell", kCrit, kScript, {}, {" (?:mkfifo|mknod) ", " (?:nc|ncat|netcat|telnet|openssl) "}, {},
       "a named pipe wired to a network tool is a reverse-shell pattern. Not allowed."},
      {"reverse-shell.python-socket", "reverse-shell", kCrit, kCmd, {}, {"^ python[0-9.]* ", "socket", "subprocess|pty\\.spawn|os\\.dup2|/bin/(?:ba)?sh|os\\.system"}, {},
       "a python one-liner connecting a socket to a shell is a reverse shell. Not allowed."},
      {"reverse-shell.perl-socket", "reverse-shell", kCrit, kCmd, {"perl"}, {"(?i)socket", "exec|system|/bin/(?:ba)?sh|open ?\\("}, {},
       "a perl one-liner connecting a socket to a shell is a reverse shell. Not allowed."},
      {"reverse-shell.ruby-socket", "reverse-shell", kCrit, kCmd, {"ruby"}, {"(?i)socket", "exec|spawn|system|/bin/(?:ba)?sh|popen"}, {},
       "a ruby one-liner connecting a socket to a shell is a reverse shell. Not allowed."},
      {"reverse-shell.php-socket", "reverse-shell", kCrit, kCmd, {"php"}, {"fsockopen|socket_create|stream_socket_client"}, {},
       "a php one-liner opening a socket to run a shell is a reverse shell. Not allowed."},
      {"reverse-shell.node-socket", "reverse-shell", kCrit, kCmd, {"node", "nodejs", "deno", "bun"}, {"child_process", "net\\.|Socket|connect\\(|nc -e|ncat |/bin/(?:ba)?sh|/dev/tcp"}, {},
       "a node one-liner connecting a socket to a child process is a reverse shell. Not allowed."},
      {"reverse-shell.awk-inet", "reverse-shell", kCrit, kCmd, {"awk", "gawk"}, {"/inet/(?:tcp|udp)/"}, {},
       "awk's /inet/ sockets make a reverse shell. Not allowed."},
      {"reverse-shell.lua-socket", "reverse-shell", kHigh, kCmd, {"lua", "luajit"}, {"socket", "execute|popen"}, {},
       "a lua one-liner joining a socket and a shell is a reverse shell. Not allowed."},
      {"reverse-shell.xterm-display", "reverse-shell", kHigh, kCmd, {"xterm"}, {" -display "}, {},
       "xterm -display sends a terminal to a remote X server. Not allowed."},
      {"reverse-shell.ssh-remote-forward", "reverse-shell", kMed, kCmd, {"ssh"}, {" -R "}, {},
       "ssh -R opens a port on a remote host back into the sandbox; it needs confirmation."},
      {"reverse-shell.netcat-listen", "reverse-shell", kMed, kCmd, {"nc", "ncat", "netcat"}, {" -[a-z]*l[a-z]* "}, {},
       "a netcat listener opens a port into the sandbox; it needs confirmation. For a local dev server use the project's own server command."},
      // --- download and execute ---------------------------------------------------
      {"download-exec.pipe-to-shell", "download-exec", kCrit, kPipe, {}, {HX_FETCH, HX_SHELL_CONSUMER}, {},
       "piping a download straight into a shell runs unreviewed code. Download the script to a file, read it, then run it if it is what you expect."},
      {"download-exec.pipe-to-interpreter", "download-exec", kCrit, kPipe, {}, {HX_FETCH, HX_INTERP_CONSUMER}, {},
       "piping a download into an interpreter runs unreviewed code. Save it to a file and review it first."},
      {"download-exec.substitution", "download-exec", kCrit, kCmd, {}, {"^ (?:" HX_SHELL "|eval|source|\\.|python[0-9.]*|perl|ruby|node) ", "(?:\\$\\(|`)\\s*(?:\\S*/)?(?:curl|wget|fetch)\\s"}, {},
       "running the output of curl/wget as code executes unreviewed downloads. Save the script to a file and review it first."},
      {"download-exec.process-substitution", "download-exec", kCrit, kCmd, {}, {"^ (?:" HX_SHELL "|source|\\.) ", "<\\(\\s*(?:\\S*/)?(?:curl|wget|fetch)\\s"}, {},
       "sourcing a download through <(curl ...) runs unreviewed code. Save the script to a file and review it first."},
      {"download-exec.download-then-run", "download-exec", kHigh, kScript, {}, {" (?:curl|wget) [^;]*(?:-o|-O|>) \\S+\\.(?:sh|py|pl|bash) ", " (?:" HX_SHELL "|python[0-9.]*|perl|source|\\.) \\S+\\.(?:sh|py|pl|bash) "}, {},
       "downloading a script and running it at once needs confirmation; review the downloaded file first."},
      // --- obfuscation --------------------------------------------------------------
      {"obfuscation.decode-to-shell", "obfuscation", kHigh, kPipe, {}, {"(?:^ |\\| )(?:base64|base32|xxd|openssl|rev|gunzip|zcat|uudecode|basenc)(?: |$)", HX_SHELL_CONSUMER}, {},
       "piping decoded or reversed text into a shell hides what runs. Write the command out in plain text."},
      {"obfuscation.printf-escapes-to-shell", "obfuscation", kHigh, kPipe, {}, {"^ (?:printf|echo) [^|]*\\\\(?:x[0-9a-fA-F]{2}|[0-7]{3})", HX_SHELL_CONSUMER}, {},
       "escaped bytes piped into a shell hide what runs. Write the command out in plain text."},
      {"obfuscation.eval-decode", "obfuscation", kHigh, kCmd, {"eval"}, {"base64|xxd|openssl|rev|gunzip|zcat|\\\\x[0-9a-fA-F]{2}"}, {},
       "eval of decoded text hides what runs. Write the command out in plain text."},
      {"obfuscation.ld-preload", "obfuscation", kHigh, kRaw, {}, {"LD_PRELOAD=|LD_AUDIT="}, {},
       "LD_PRELOAD/LD_AUDIT inject code into every program. Not allowed; link or call the library directly instead."},
      {"obfuscation.history-tamper", "obfuscation", kLow, kCmd, {}, {"^ (?:history -c|unset HISTFILE|export HISTFILE=/dev/null|export HISTSIZE=0)"}, {},
       "clearing shell history is logged."},
      // --- credentials --------------------------------------------------------------
      {"credentials.ssh-keys", "credentials", kHigh, kCmd, {}, {HX_HOME "/\\.ssh/(?:id_|[^ ]*_key|identity)"}, {"^ (?:ssh|ssh-add|ssh-keygen|git) ", "\\.pub(?: |$)"},
       "private SSH keys are off limits. If you need to reach a git remote, ask the operator to configure access for the session."},
      {"credentials.cloud-config", "credentials", kHigh, kCmd, {}, {HX_HOME "/\\.(?:(?:aws|ssh|kube|gnupg|docker)/[^ ]*[*?\\[]|aws/credentials|aws/config|azure/|config/gcloud|kube/config|docker/config\\.json|netrc|git-credentials|pgpass|npmrc|pypirc|gnupg|password-store|vault-token|terraform\\.d/credentials)"}, {},
       "credential files (cloud, registry, kube, git) are off limits. Ask the operator to provide the access the task needs."},
      {"credentials.shadow", "credentials", kHigh, kCmd, {}, {"/etc/(?:shadow|gshadow|master\\.passwd|security/opasswd|g?sh[^ /]*[*?\\[])"}, {},
       "the system password hashes are off limits."},
      {"credentials.proc-environ", "credentials", kHigh, kCmd, {}, {"/proc/(?:self|[0-9]+|\\*|\\$\\$)/environ"}, {},
       "reading another process's environment exposes secrets. Use the variables given to your session."},
      {"credentials.shell-history", "credentials", kMed, kCmd, {}, {HX_HOME "/\\.(?:bash|zsh|sh|python|mysql|psql)_history"}, {},
       "shell histories often contain secrets; reading them needs confirmation."},
      {"credentials.key-hunt", "credentials", kHigh, kCmd, {"grep", "egrep", "rg", "ag", "find", "locate"}, {"(?i)private.key|id_rsa|id_ed25519|aws_secret|\\.pem |secret_access", " (?:/|/" HX_SYS "|" HX_HOME ") "}, {},
       "searching the filesystem for keys and secrets is not allowed. Search only your working directory."},
      {"credentials.cloud-metadata", "credentials", kHigh, kCmd, {}, {"169\\.254\\.169\\.254|metadata\\.google\\.internal|100\\.100\\.100\\.200|fd00:ec2::254"}, {},
       "the cloud metadata service hands out instance credentials. Not allowed."},
      {"credentials.keychain", "credentials", kHigh, kCmd, {"security", "secret-tool", "kwallet-query"}, {" (?:find-generic-password|find-internet-password|dump-keychain|lookup|-r) "}, {},
       "reading the system keychain is not allowed."},
      {"credentials.container-secrets", "credentials", kMed, kCmd, {}, {"/run/secrets/|/var/run/secrets/"}, {},
       "reading mounted service secrets needs confirmation."},
      // --- exfiltration ---------------------------------------------------------------
      {"exfiltration.env-to-network", "exfiltration", kCrit, kPipe, {}, {"(?:^ |\\| )(?:env|printenv|set|export -p|declare -x|compgen -v)(?: |$)", HX_NET_CONSUMER}, {},
       "sending the environment over the network leaks secrets. Not allowed."},
      {"exfiltration.secret-to-network", "exfiltration", kCrit, kPipe, {}, {HX_SECRET_FILE, HX_NET_CONSUMER}, {},
       "sending credential files over the network is exfiltration. Not allowed."},
      {"exfiltration.upload-file", "exfiltration", kHigh, kCmd, {"curl", "wget", "http", "https"}, {"(?:@|-T |--post-file=|--body-file=)(?:" HX_HOME "|/etc|/proc|/var|/root)/"}, {},
       "uploading files from outside the working directory is not allowed."},
      {"exfiltration.substitution-upload", "exfiltration", kHigh, kCmd, {"curl", "wget", "http", "https", "nc", "ncat"}, {"\\$\\((?:env|printenv|cat [^)]*(?:\\.ssh|\\.aws|/etc/|environ|\\.netrc|\\.git-credentials))"}, {},
       "sending secrets through a command substitution is exfiltration. Not allowed."},
      {"exfiltration.dns-tunnel", "exfiltration", kHigh, kCmd, {"dig", "nslookup", "host", "drill"}, {"\\$\\("}, {},
       "DNS lookups built from command output are a data-exfiltration channel. Not allowed."},
      {"exfiltration.netcat-file", "exfiltration", kHigh, kCmd, {"nc", "ncat", "netcat", "telnet", "socat"}, {" < (?:/etc/|/proc/|/root|" HX_HOME ")"}, {},
       "sending system or home files over netcat is exfiltration. Not allowed."},
      {"exfiltration.copy-secrets", "exfiltration", kHigh, kCmd, {"scp", "rsync", "sftp", "rclone"}, {HX_SECRET_FILE}, {},
       "copying credential files off the machine is exfiltration. Not allowed."},
      // --- persistence -----------------------------------------------------------------
      {"persistence.crontab", "persistence", kHigh, kCmd, {"crontab"}, {}, {" -l "},
       "installing cron jobs outlives the session. Not allowed; run the task now or ask the operator for a scheduled job."},
      {"persistence.crontab-list", "persistence", kLow, kCmd, {"crontab"}, {" -l "}, {},
       "listing cron jobs is logged."},
      {"persistence.cron-files", "persistence", kHigh, kCmd, {}, {"/etc/cron(?:tab|\\.d|\\.daily|\\.hourly|\\.weekly|\\.monthly)|/var/spool/cron|/etc/anacrontab"}, {},
       "system cron files are off limits. Run the task now instead of scheduling it."},
      {"persistence.authorized-keys-redirect", "persistence", kHigh, kCmd, {}, {HX_WRITE_REDIRECT "\\S*authorized_keys2?(?: |$)"}, {},
       "adding SSH authorized keys creates a backdoor. Not allowed."},
      {"persistence.authorized-keys-write", "persistence", kHigh, kCmd, {"tee", "cp", "mv", "ln", "install", "sed", "ssh-copy-id", "dd", "rsync", "scp"}, {"authorized_keys"}, {},
       "adding SSH authorized keys creates a backdoor. Not allowed."},
      {"persistence.shell-rc-redirect", "persistence", kHigh, kCmd, {}, {HX_WRITE_REDIRECT HX_HOME "/\\.(?:bashrc|bash_profile|bash_login|bash_logout|profile|zshrc|zprofile|zshenv|zlogin|kshrc|inputrc|config/fish/config\\.fish)(?: |$)"}, {},
       "writing shell start-up files makes changes outlive the session. Set variables in the command itself (e.g. `FOO=1 make`) instead."},
      {"persistence.shell-rc-write", "persistence", kHigh, kCmd, {"tee", "cp", "mv", "ln", "install", "sed", "dd"}, {HX_HOME "/\\.(?:bashrc|bash_profile|bash_login|profile|zshrc|zprofile|zshenv|zlogin|kshrc)(?: |$)"}, {" -n "},
       "writing shell start-up files makes changes outlive the session. Set variables in the command itself instead."},
      {"persistence.system-startup", "persistence", kHigh, kCmd, {}, {"(?:" HX_WRITE_REDIRECT "|^ (?:tee|cp|mv|ln|install|sed|dd) .*)/etc/(?:rc\\.local|init\\.d/|profile\\.d/|profile |bash\\.bashrc|environment|ld\\.so\\.preload|update-motd\\.d/|xdg/autostart)"}, {},
       "system start-up files are off limits. Not allowed."},
      {"persistence.systemd-unit", "persistence", kHigh, kCmd, {}, {"/etc/systemd/|/lib/systemd/system/|/usr/lib/systemd/|\\.config/systemd/user"}, {"^ (?:cat|less|more|ls|grep|head|tail|stat|systemd-analyze) "},
       "installing systemd units outlives the session. Not allowed."},
      {"persistence.systemctl-enable", "persistence", kHigh, kCmd, {"systemctl"}, {" (?:enable|link|set-default|edit|mask|preset|daemon-reexec|add-wants|add-requires) "}, {},
       "enabling services changes the machine beyond the session. Not allowed."},
      {"persistence.at-job", "persistence", kHigh, kCmd, {"at", "batch", "atq", "atrm"}, {}, {},
       "scheduled jobs outlive the session; they need confirmation."},
      {"persistence.launchd", "persistence", kHigh, kCmd, {}, {"^ launchctl (?:load|bootstrap|submit)|/LaunchAgents/|/LaunchDaemons/"}, {},
       "launchd agents outlive the session. Not allowed."},
      {"persistence.git-hooks-global", "persistence", kHigh, kCmd, {"git"}, {" config ", " --(?:global|system) ", "core\\.hooksPath|core\\.sshCommand|credential\\.helper|core\\.fsmonitor|url\\..*\\.insteadOf"}, {},
       "global git hooks, ssh commands and credential helpers run code in every repository. Not allowed; use repository-local config for the task."},
      // --- container and host escape ------------------------------------------------
      {"escape.nsenter", "escape", kCrit, kCmd, {"nsenter", "pivot_root", "switch_root"}, {}, {},
       "entering other namespaces is a container escape. Not allowed."},
      {"escape.docker-socket", "escape", kCrit, kCmd, {}, {"/(?:var/)?run/(?:docker|containerd/containerd|crio/crio|podman/podman)\\.sock|/run/user/[0-9]+/(?:docker|podman)"}, {},
       "the container runtime socket controls the host. Not allowed."},
      {"escape.proc-root", "escape", kCrit, kCmd, {}, {"/proc/(?:1|\\$PPID)/(?:root|ns|cwd|mem|map_files|exe)"}, {},
       "/proc/1 reaches the host's init and its filesystem. Not allowed."},
      {"escape.privileged-container", "escape", kHigh, kCmd, {"docker", "podman", "nerdctl", "ctr"}, {" (?:run|create|exec) ", "--privileged|--pid=host|--net=host|--network=host|--ipc=host|--uts=host|--userns=host|--cap-add|--security-opt|--device|(?:-v|--volume|--mount) /(?::| |$)|--volume=/:|source=/,"}, {},
       "privileged containers or host namespaces/volumes break out of the sandbox. Run containers without them."},
      {"escape.mount", "escape", kHigh, kCmd, {"mount", "umount", "fusermount", "losetup"}, {" \\S"}, {"^ mount (?:-l )?$"},
       "mounting filesystems is not allowed in the sandbox."},
      {"escape.unshare-chroot", "escape", kHigh, kCmd, {"unshare", "chroot", "bwrap", "firejail", "systemd-nspawn", "lxc-attach", "lxc-execute"}, {}, {},
       "namespaces and chroots are managed by the sandbox itself. Not allowed inside it."},
      {"escape.cgroup-release-agent", "escape", kCrit, kCmd, {}, {"release_agent|notify_on_release"}, {},
       "the cgroup release_agent is a known container escape. Not allowed."},
      {"escape.debugfs", "escape", kCrit, kCmd, {"debugfs", "kdb"}, {}, {},
       "debugfs reads raw filesystems. Not allowed."},
      {"escape.core-pattern", "escape", kCrit, kCmd, {}, {"/proc/sys/kernel/(?:core_pattern|modprobe|hotplug)|/sys/kernel/uevent_helper"}, {},
       "core_pattern, modprobe and uevent helpers run code on the host. Not allowed."},
      {"escape.kubectl-exec", "escape", kMed, kCmd, {"kubectl", "oc"}, {" (?:exec|cp|debug|attach|port-forward) "}, {},
       "reaching into cluster pods needs confirmation."},
      // --- kernel and machine ------------------------------------------------------------
      {"kernel.module", "kernel", kCrit, kCmd, {"insmod", "rmmod", "modprobe", "kmod", "depmod"}, {}, {},
       "loading or unloading kernel modules is not allowed."},
      {"kernel.sysctl-write", "kernel", kHigh, kCmd, {"sysctl"}, {" (?:-w|\\S+=\\S*|-p|--system|--load\\S*) "}, {},
       "changing kernel parameters is not allowed. Reading them (sysctl -a, sysctl key) is fine."},
      {"kernel.proc-sys-write", "kernel", kHigh, kCmd, {}, {"(?:" HX_WRITE_REDIRECT "|^ (?:tee|dd|cp) .*)/(?:proc/sys|sys/(?:kernel|module|fs|class|devices|firmware|power))/"}, {},
       "writing kernel tunables under /proc/sys or /sys is not allowed."},
      {"kernel.sysrq", "kernel", kCrit, kCmd, {}, {"/proc/sysrq-trigger"}, {},
       "the sysrq trigger can crash or reboot the machine. Not allowed."},
      {"kernel.kexec", "kernel", kCrit, kCmd, {"kexec"}, {}, {},
       "kexec replaces the running kernel. Not allowed."},
      {"kernel.reboot", "kernel", kHigh, kCmd, {}, {"^ (?:reboot|shutdown|halt|poweroff|telinit [0-6]|init [06]|systemctl (?:reboot|poweroff|halt|kexec|emergency|rescue)) "}, {},
       "rebooting or powering off is not allowed. If a service needs a restart, restart only that process."},
      {"kernel.kill-all", "kernel", kHigh, kCmd, {"kill", "pkill", "killall", "killall5"}, {"(?: -1| 1) $| -u root "}, {},
       "killing every process or init is not allowed. Kill the specific process id you started."},
      {"kernel.killall5", "kernel", kHigh, kCmd, {"killall5"}, {}, {},
       "killall5 signals every process. Kill the specific process id you started."},
      {"kernel.firewall-flush", "kernel", kHigh, kCmd, {"iptables", "ip6tables", "nft", "ufw", "firewall-cmd"}, {" (?:-F|--flush|flush|disable|-X|--delete-chain|-P|--policy) "}, {},
       "changing the host firewall is not allowed."},
      {"kernel.swap", "kernel", kMed, kCmd, {"swapoff", "swapon"}, {}, {},
       "changing swap needs confirmation."},
      {"kernel.dmesg-clear", "kernel", kMed, kCmd, {"dmesg"}, {" (?:-c|-C|--clear|--read-clear) "}, {},
       "clearing the kernel log hides evidence; it needs confirmation."},
      {"kernel.network-scan", "kernel", kMed, kCmd, {"nmap", "masscan", "zmap", "hping3"}, {}, {},
       "network scanning needs confirmation."},
      // --- destructive git ------------------------------------------------------------
      {"git.force-push-protected", "git", kHigh, kCmd, {"git"}, {" push ", " (?:-f|--force) ", " (?:\\S*:)?\\+?(?:main|master|trunk|production|prod|release|develop)(?: |$)"}, {},
       "force-pushing to a protected branch rewrites shared history. Push to a feature branch, or use `git push --force-with-lease` on your own branch."},
      {"git.force-push-refspec", "git", kHigh, kCmd, {"git"}, {" push ", " \\+(?:\\S*:)?(?:main|master|trunk|production|prod|release|develop)(?: |$)"}, {},
       "a '+' refspec force-pushes a protected branch. Push to a feature branch instead."},
      {"git.force-push", "git", kMed, kCmd, {"git"}, {" push ", " (?:-f|--force) "}, {},
       "force-pushing rewrites remote history and needs confirmation. Prefer `git push --force-with-lease origin <your-branch>`."},
      {"git.delete-protected-branch", "git", kHigh, kCmd, {"git"}, {" push ", " (?:--delete|-d) (?:\\S+ )?(?:main|master|trunk|production|release) | :(?:main|master|trunk|production|release)(?: |$)"}, {},
       "deleting a protected remote branch is not allowed."},
      {"git.reset-hard-and-clean", "git", kHigh, kScript, {}, {" git reset [^;|]*--hard", " git clean [^;|]*-f ", " git clean [^;|]*-[dxX] "}, {},
       "`git reset --hard` together with `git clean -fdx` throws away all uncommitted and untracked work. Use `git stash -u` to set changes aside instead."},
      {"git.clean-ignored", "git", kMed, kCmd, {"git"}, {" clean ", " -f ", " -[xX] "}, {" -n ", " --dry-run "},
       "`git clean -x` deletes ignored files too (build caches, .env); it needs confirmation. Run `git clean -n` first to see what would go."},
      {"git.reset-hard", "git", kLow, kCmd, {"git"}, {" reset ", " --hard "}, {},
       "git reset --hard discards uncommitted changes; logged."},
      {"git.rewrite-history", "git", kMed, kCmd, {"git"}, {" (?:filter-branch|filter-repo|replace) "}, {},
       "rewriting repository history needs confirmation."},
      {"git.expire-reflog", "git", kMed, kCmd, {"git"}, {" (?:reflog expire|gc) ", "--(?:expire|prune)=(?:now|all)"}, {},
       "expiring the reflog makes lost commits unrecoverable; it needs confirmation."},
      {"git.delete-branch-protected", "git", kMed, kCmd, {"git"}, {" branch ", " (?:-D|-d|--delete) ", " (?:main|master|trunk|production|release) "}, {},
       "deleting a protected branch needs confirmation."},
      // --- databases ---------------------------------------------------------------------
      {"database.drop-database", "database", kCrit, kCmd, kDbClients, {"(?i)\\bdrop\\s+(?:database|schema)\\b"}, {},
       "DROP DATABASE/SCHEMA destroys all its data. Not allowed; work on a scratch database or ask the operator."},
      {"database.drop-database-piped", "database", kCrit, kPipe, {}, {HX_DB_CLIENT_STAGE, "(?i)\\bdrop\\s+(?:database|schema)\\b"}, {},
       "DROP DATABASE/SCHEMA destroys all its data. Not allowed; work on a scratch database or ask the operator."},
      {"database.drop-table", "database", kHigh, kCmd, kDbClients, {"(?i)\\bdrop\\s+table\\b"}, {},
       "DROP TABLE destroys data. Use a migration reviewed by a person, or ask for confirmation."},
      {"database.drop-table-piped", "database", kHigh, kPipe, {}, {HX_DB_CLIENT_STAGE, "(?i)\\bdrop\\s+table\\b"}, {},
       "DROP TABLE destroys data. Use a migration reviewed by a person, or ask for confirmation."},
      {"database.truncate", "database", kHigh, kCmd, kDbClients, {"(?i)\\btruncate\\s+(?:table\\s+)?[a-z_\"`]"}, {},
       "TRUNCATE deletes every row. Delete the rows you mean with a WHERE clause instead."},
      {"database.truncate-piped", "database", kHigh, kPipe, {}, {HX_DB_CLIENT_STAGE, "(?i)\\btruncate\\s+(?:table\\s+)?[a-z_\"`]"}, {},
       "TRUNCATE deletes every row. Delete the rows you mean with a WHERE clause instead."},
      {"database.delete-without-where", "database", kHigh, kCmd, kDbClients, {"(?i)\\bdelete\\s+from\\s+[^\\s;]+\\s*(?:;|$|'|\")"}, {},
       "DELETE without WHERE deletes every row. Add a WHERE clause naming the rows to delete."},
      {"database.delete-without-where-piped", "database", kHigh, kPipe, {}, {HX_DB_CLIENT_STAGE, "(?i)\\bdelete\\s+from\\s+[^\\s;]+\\s*(?:;|$|'|\")"}, {},
       "DELETE without WHERE deletes every row. Add a WHERE clause naming the rows to delete."},
      {"database.update-without-where", "database", kMed, kCmd, kDbClients, {"(?i)\\bupdate\\s+\\S+\\s+set\\s"}, {"(?i)\\bwhere\\b"},
       "UPDATE without WHERE changes every row; it needs confirmation. Add a WHERE clause."},
      {"database.update-without-where-piped", "database", kMed, kPipe, {}, {HX_DB_CLIENT_STAGE, "(?i)\\bupdate\\s+\\S+\\s+set\\s"}, {"(?i)\\bwhere\\b"},
       "UPDATE without WHERE changes every row; it needs confirmation. Add a WHERE clause."},
      {"database.redis-flush", "database", kCrit, kCmd, {"redis-cli", "valkey-cli", "keydb-cli"}, {"(?i) flush(?:all|db)(?: |$)"}, {},
       "FLUSHALL/FLUSHDB deletes every key. Delete specific keys instead."},
      {"database.mongo-drop", "database", kCrit, kCmd, {"mongo", "mongosh"}, {"dropDatabase\\(|\\.drop\\(\\)"}, {},
       "dropping a MongoDB database or collection destroys its data. Not allowed."},
      {"database.mongo-drop-piped", "database", kCrit, kPipe, {}, {"\\| (?:mongo|mongosh) ", "dropDatabase\\(|\\.drop\\(\\)"}, {},
       "dropping a MongoDB database or collection destroys its data. Not allowed."},
      {"database.drop-tool", "database", kHigh, kCmd, {"dropdb", "mysqladmin"}, {}, {" (?:status|ping|version|processlist|variables) "},
       "dropdb / mysqladmin drop destroy databases. Not allowed."},
      // --- crypto miners -------------------------------------------------------------------
      {"miner.known-binary", "miner", kCrit, kCmd, {}, {"^ (?:xmrig|xmr-stak\\S*|minerd|cpuminer\\S*|cgminer|bfgminer|ethminer|t-rex|nbminer|lolminer|phoenixminer|nanominer|gminer|teamredminer|ccminer|srbminer\\S*|xmrig-\\S+) "}, {},
       "cryptocurrency miners are not allowed."},
      {"miner.stratum", "miner", kCrit, kCmd, {}, {"stratum\\+(?:tcp|ssl|tls)://"}, {},
       "connecting to a mining pool (stratum) is not allowed."},
      {"miner.pool-options", "miner", kHigh, kCmd, {}, {"--donate-level|--coin[= ](?:monero|xmr)|(?:-a|--algo)[= ](?:cryptonight|randomx|rx/0|ethash|kawpow|argon2)|(?:minexmr|nanopool|supportxmr|2miners|f2pool|moneroocean|hashvault|nicehash)\\."}, {},
       "mining pool options or hosts are not allowed."},
  };
  return kRules;
}
// clang-format on

}  // namespace

const std::vector<BuiltinRule>& BuiltinRules() { return Table(); }

const std::vector<std::string_view>& BuiltinCategories() {
  static const std::vector<std::string_view> kCategories = [] {
    std::vector<std::string_view> out;
    for (const auto& r : Table()) {
      if (std::find(out.begin(), out.end(), r.category) == out.end()) out.push_back(r.category);
    }
    return out;
  }();
  return kCategories;
}

std::vector<std::string_view> BuiltinRuleIds() {
  std::vector<std::string_view> ids;
  for (const auto& r : Table()) ids.push_back(r.id);
  return ids;
}

}  // namespace hotplex::policies
