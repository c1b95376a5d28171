# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_rotate_cert_global_optspecs
    string join \n state= output= project= context= q/quiet v/verbose y/yes h/help V/version
end

function __fish_rotate_cert_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_rotate_cert_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_rotate_cert_using_subcommand
    set -l cmd (__fish_rotate_cert_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c rotate-cert -n "__fish_rotate_cert_needs_command" -l state -d 'The state file that records a rotation [default: `rotate-cert.<namespace>.<name>.state.json` in the current directory, from `--ingress`]' -r -F
complete -c rotate-cert -n "__fish_rotate_cert_needs_command" -l output -d 'Output format: `human` (messages and progress on stderr) or `json` (one JSON object or event per line on stdout)' -r -f -a "human\t'Messages and progress for people, on stderr'
json\t'Machine-readable JSON on stdout'"
complete -c rotate-cert -n "__fish_rotate_cert_needs_command" -l project -d 'Google Cloud project [default: from the credentials, or `CLOUDSDK_CORE_PROJECT`]' -r
complete -c rotate-cert -n "__fish_rotate_cert_needs_command" -l context -d 'Kubernetes context from the kubeconfig [default: the current context]' -r
complete -c rotate-cert -n "__fish_rotate_cert_needs_command" -s q -l quiet -d 'Print only errors (no progress, no step lines)'
complete -c rotate-cert -n "__fish_rotate_cert_needs_command" -s v -l verbose -d 'More detail on stderr; repeat for debug logs (`-vv`)'
complete -c rotate-cert -n "__fish_rotate_cert_needs_command" -s y -l yes -d 'Answer yes to confirmations (required for changes when stdin is not a terminal)'
complete -c rotate-cert -n "__fish_rotate_cert_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rotate-cert -n "__fish_rotate_cert_needs_command" -s V -l version -d 'Print version'
complete -c rotate-cert -n "__fish_rotate_cert_needs_command" -f -a "check-cert" -d 'Check a certificate and key before rotating to them (exit 0 pass, 2 fail)'
complete -c rotate-cert -n "__fish_rotate_cert_needs_command" -f -a "completions" -d 'Print a shell completion script to stdout'
complete -c rotate-cert -n "__fish_rotate_cert_needs_command" -f -a "sandbox" -d 'A simulated GKE + Google Cloud on loopback, for rehearsals and tests'
complete -c rotate-cert -n "__fish_rotate_cert_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand check-cert" -l cert -d 'PEM file with the certificate chain, leaf first' -r -F
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand check-cert" -l key -d 'PEM file with the private key (PKCS#8, PKCS#1 or SEC1; not encrypted)' -r -F
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand check-cert" -l hostname -d 'A hostname the certificate must cover (repeatable)' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand check-cert" -l min-validity -d 'Fail when the certificate expires within this time' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand check-cert" -l state -d 'The state file that records a rotation [default: `rotate-cert.<namespace>.<name>.state.json` in the current directory, from `--ingress`]' -r -F
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand check-cert" -l output -d 'Output format: `human` (messages and progress on stderr) or `json` (one JSON object or event per line on stdout)' -r -f -a "human\t'Messages and progress for people, on stderr'
json\t'Machine-readable JSON on stdout'"
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand check-cert" -l project -d 'Google Cloud project [default: from the credentials, or `CLOUDSDK_CORE_PROJECT`]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand check-cert" -l context -d 'Kubernetes context from the kubeconfig [default: the current context]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand check-cert" -s q -l quiet -d 'Print only errors (no progress, no step lines)'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand check-cert" -s v -l verbose -d 'More detail on stderr; repeat for debug logs (`-vv`)'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand check-cert" -s y -l yes -d 'Answer yes to confirmations (required for changes when stdin is not a terminal)'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand check-cert" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand check-cert" -s V -l version -d 'Print version'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand completions" -l state -d 'The state file that records a rotation [default: `rotate-cert.<namespace>.<name>.state.json` in the current directory, from `--ingress`]' -r -F
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand completions" -l output -d 'Output format: `human` (messages and progress on stderr) or `json` (one JSON object or event per line on stdout)' -r -f -a "human\t'Messages and progress for people, on stderr'
json\t'Machine-readable JSON on stdout'"
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand completions" -l project -d 'Google Cloud project [default: from the credentials, or `CLOUDSDK_CORE_PROJECT`]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand completions" -l context -d 'Kubernetes context from the kubeconfig [default: the current context]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand completions" -s q -l quiet -d 'Print only errors (no progress, no step lines)'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand completions" -s v -l verbose -d 'More detail on stderr; repeat for debug logs (`-vv`)'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand completions" -s y -l yes -d 'Answer yes to confirmations (required for changes when stdin is not a terminal)'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand completions" -s V -l version -d 'Print version'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand sandbox; and not __fish_seen_subcommand_from up help" -l state -d 'The state file that records a rotation [default: `rotate-cert.<namespace>.<name>.state.json` in the current directory, from `--ingress`]' -r -F
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand sandbox; and not __fish_seen_subcommand_from up help" -l output -d 'Output format: `human` (messages and progress on stderr) or `json` (one JSON object or event per line on stdout)' -r -f -a "human\t'Messages and progress for people, on stderr'
json\t'Machine-readable JSON on stdout'"
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand sandbox; and not __fish_seen_subcommand_from up help" -l project -d 'Google Cloud project [default: from the credentials, or `CLOUDSDK_CORE_PROJECT`]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand sandbox; and not __fish_seen_subcommand_from up help" -l context -d 'Kubernetes context from the kubeconfig [default: the current context]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand sandbox; and not __fish_seen_subcommand_from up help" -s q -l quiet -d 'Print only errors (no progress, no step lines)'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand sandbox; and not __fish_seen_subcommand_from up help" -s v -l verbose -d 'More detail on stderr; repeat for debug logs (`-vv`)'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand sandbox; and not __fish_seen_subcommand_from up help" -s y -l yes -d 'Answer yes to confirmations (required for changes when stdin is not a terminal)'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand sandbox; and not __fish_seen_subcommand_from up help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand sandbox; and not __fish_seen_subcommand_from up help" -s V -l version -d 'Print version'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand sandbox; and not __fish_seen_subcommand_from up help" -f -a "up" -d 'Start the sandbox on loopback, write its files into DIR, and serve until Ctrl-C'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand sandbox; and not __fish_seen_subcommand_from up help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand sandbox; and __fish_seen_subcommand_from up" -l dir -d 'Directory for the env file, kubeconfig, key file and certificates' -r -F
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand sandbox; and __fish_seen_subcommand_from up" -l time-scale -d 'Multiply every realistic delay by this factor (1 = real pace: a rotation takes about 20 minutes; the default makes it about a minute)' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand sandbox; and __fish_seen_subcommand_from up" -l http-port -d 'HTTP port on 127.0.0.1 (0 = any free port)' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand sandbox; and __fish_seen_subcommand_from up" -l dns-port -d 'DNS port on 127.0.0.1, UDP and TCP (0 = any free port)' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand sandbox; and __fish_seen_subcommand_from up" -l lb-port -d 'The load balancers\' TLS port (0 = any free port)' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand sandbox; and __fish_seen_subcommand_from up" -l state -d 'The state file that records a rotation [default: `rotate-cert.<namespace>.<name>.state.json` in the current directory, from `--ingress`]' -r -F
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand sandbox; and __fish_seen_subcommand_from up" -l output -d 'Output format: `human` (messages and progress on stderr) or `json` (one JSON object or event per line on stdout)' -r -f -a "human\t'Messages and progress for people, on stderr'
json\t'Machine-readable JSON on stdout'"
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand sandbox; and __fish_seen_subcommand_from up" -l project -d 'Google Cloud project [default: from the credentials, or `CLOUDSDK_CORE_PROJECT`]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand sandbox; and __fish_seen_subcommand_from up" -l context -d 'Kubernetes context from the kubeconfig [default: the current context]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand sandbox; and __fish_seen_subcommand_from up" -s q -l quiet -d 'Print only errors (no progress, no step lines)'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand sandbox; and __fish_seen_subcommand_from up" -s v -l verbose -d 'More detail on stderr; repeat for debug logs (`-vv`)'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand sandbox; and __fish_seen_subcommand_from up" -s y -l yes -d 'Answer yes to confirmations (required for changes when stdin is not a terminal)'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand sandbox; and __fish_seen_subcommand_from up" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand sandbox; and __fish_seen_subcommand_from up" -s V -l version -d 'Print version'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand sandbox; and __fish_seen_subcommand_from help" -f -a "up" -d 'Start the sandbox on loopback, write its files into DIR, and serve until Ctrl-C'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand sandbox; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand help; and not __fish_seen_subcommand_from check-cert completions sandbox help" -f -a "check-cert" -d 'Check a certificate and key before rotating to them (exit 0 pass, 2 fail)'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand help; and not __fish_seen_subcommand_from check-cert completions sandbox help" -f -a "completions" -d 'Print a shell completion script to stdout'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand help; and not __fish_seen_subcommand_from check-cert completions sandbox help" -f -a "sandbox" -d 'A simulated GKE + Google Cloud on loopback, for rehearsals and tests'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand help; and not __fish_seen_subcommand_from check-cert completions sandbox help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand help; and __fish_seen_subcommand_from sandbox" -f -a "up" -d 'Start the sandbox on loopback, write its files into DIR, and serve until Ctrl-C'
