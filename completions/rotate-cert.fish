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
complete -c rotate-cert -n "__fish_rotate_cert_needs_command" -f -a "plan" -d 'Show what a rotation would change, without changing anything'
complete -c rotate-cert -n "__fish_rotate_cert_needs_command" -f -a "rotate" -d 'Rotate: plan, confirm, then run every step (create, switch-dns, drain, cleanup)'
complete -c rotate-cert -n "__fish_rotate_cert_needs_command" -f -a "create" -d 'Step 1: create the green Secret and Ingress and prove them by TLS handshake'
complete -c rotate-cert -n "__fish_rotate_cert_needs_command" -f -a "switch-dns" -d 'Step 2: switch the DNS records to green (one atomic change per zone) and verify every nameserver'
complete -c rotate-cert -n "__fish_rotate_cert_needs_command" -f -a "drain" -d 'Step 3: wait until blue has drained (Cloud Monitoring request counts)'
complete -c rotate-cert -n "__fish_rotate_cert_needs_command" -f -a "cleanup" -d 'Step 4: delete the blue Ingress (and what rotate-cert itself created for it)'
complete -c rotate-cert -n "__fish_rotate_cert_needs_command" -f -a "resume" -d 'Continue a recorded rotation from where it stopped'
complete -c rotate-cert -n "__fish_rotate_cert_needs_command" -f -a "status" -d 'Show a recorded rotation and what DNS and both load balancers serve now'
complete -c rotate-cert -n "__fish_rotate_cert_needs_command" -f -a "rollback" -d 'Undo a rotation that has not reached cleanup (DNS back to blue, green removed)'
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
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand plan" -l ingress -d 'The live Ingress to rotate, as NAMESPACE/NAME' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand plan" -l cert -d 'PEM file with the new certificate chain, leaf first' -r -F
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand plan" -l key -d 'PEM file with the new private key (never printed or stored)' -r -F
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand plan" -l from-secret -d 'Take the new certificate from a TLS Secret (e.g. cert-manager\'s) as NAMESPACE/NAME' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand plan" -l compute-endpoint -d 'Compute API base URL [default: `CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE`, else Google\'s]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand plan" -l dns-endpoint -d 'Cloud DNS API base URL [default: `CLOUDSDK_API_ENDPOINT_OVERRIDES_DNS`, else Google\'s]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand plan" -l monitoring-endpoint -d 'Cloud Monitoring API base URL [default: `CLOUDSDK_API_ENDPOINT_OVERRIDES_MONITORING`, else Google\'s]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand plan" -l access-token-file -d 'A file holding a Google OAuth access token (instead of application default credentials)' -r -F
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand plan" -l credentials-file -d 'A service-account key file (instead of `GOOGLE_APPLICATION_CREDENTIALS`)' -r -F
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand plan" -l zone -d 'Cloud DNS zone holding the records [default: the public zone with the longest matching suffix]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand plan" -l nameserver -d 'Authoritative nameserver to verify, IP[:PORT] (repeatable) [default: the zone\'s `nameServers`]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand plan" -l probe-port -d 'Port of the load balancers\' HTTPS listeners, for TLS probes [default: 443]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand plan" -l ca-file -d 'PEM file of extra CA certificates that verify the served chain (private CAs)' -r -F
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand plan" -l min-validity -d 'The new certificate must stay valid at least this long [default: 14d]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand plan" -l min-drain -d 'Drain at least this long after DNS is verified, even when the records\' TTL is shorter [default: 0s]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand plan" -l quiet-period -d 'Blue has drained after this long at or below --drain-threshold; at least one --metric-sampling-period [default: 5m]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand plan" -l drain-threshold -d 'Requests per second on blue that count as drained [default: 0]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand plan" -l drain-timeout -d 'Stop waiting for the drain after this long, resumably [default: 2h]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand plan" -l metric-sampling-period -d 'Cloud Monitoring sampling period of the request-count metric [default: 60s]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand plan" -l metric-ingestion-delay -d 'Cloud Monitoring ingestion delay of the request-count metric [default: 210s]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand plan" -l create-timeout -d 'Give up building and proving green after this long [default: 30m]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand plan" -l dns-timeout -d 'Give up waiting for DNS after this long [default: 10m]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand plan" -l cleanup-timeout -d 'Give up waiting for the old load balancer to disappear after this long [default: 30m]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand plan" -l state -d 'The state file that records a rotation [default: `rotate-cert.<namespace>.<name>.state.json` in the current directory, from `--ingress`]' -r -F
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand plan" -l output -d 'Output format: `human` (messages and progress on stderr) or `json` (one JSON object or event per line on stdout)' -r -f -a "human\t'Messages and progress for people, on stderr'
json\t'Machine-readable JSON on stdout'"
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand plan" -l project -d 'Google Cloud project [default: from the credentials, or `CLOUDSDK_CORE_PROJECT`]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand plan" -l context -d 'Kubernetes context from the kubeconfig [default: the current context]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand plan" -l break-lock -d 'Take over a lock left by a run on another host (only when sure it is not running)'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand plan" -l force -d 'Skip the drain wait (recorded as a warning in the state file)'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand plan" -s q -l quiet -d 'Print only errors (no progress, no step lines)'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand plan" -s v -l verbose -d 'More detail on stderr; repeat for debug logs (`-vv`)'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand plan" -s y -l yes -d 'Answer yes to confirmations (required for changes when stdin is not a terminal)'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand plan" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand plan" -s V -l version -d 'Print version'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand rotate" -l ingress -d 'The live Ingress to rotate, as NAMESPACE/NAME' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand rotate" -l cert -d 'PEM file with the new certificate chain, leaf first' -r -F
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand rotate" -l key -d 'PEM file with the new private key (never printed or stored)' -r -F
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand rotate" -l from-secret -d 'Take the new certificate from a TLS Secret (e.g. cert-manager\'s) as NAMESPACE/NAME' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand rotate" -l compute-endpoint -d 'Compute API base URL [default: `CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE`, else Google\'s]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand rotate" -l dns-endpoint -d 'Cloud DNS API base URL [default: `CLOUDSDK_API_ENDPOINT_OVERRIDES_DNS`, else Google\'s]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand rotate" -l monitoring-endpoint -d 'Cloud Monitoring API base URL [default: `CLOUDSDK_API_ENDPOINT_OVERRIDES_MONITORING`, else Google\'s]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand rotate" -l access-token-file -d 'A file holding a Google OAuth access token (instead of application default credentials)' -r -F
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand rotate" -l credentials-file -d 'A service-account key file (instead of `GOOGLE_APPLICATION_CREDENTIALS`)' -r -F
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand rotate" -l zone -d 'Cloud DNS zone holding the records [default: the public zone with the longest matching suffix]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand rotate" -l nameserver -d 'Authoritative nameserver to verify, IP[:PORT] (repeatable) [default: the zone\'s `nameServers`]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand rotate" -l probe-port -d 'Port of the load balancers\' HTTPS listeners, for TLS probes [default: 443]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand rotate" -l ca-file -d 'PEM file of extra CA certificates that verify the served chain (private CAs)' -r -F
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand rotate" -l min-validity -d 'The new certificate must stay valid at least this long [default: 14d]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand rotate" -l min-drain -d 'Drain at least this long after DNS is verified, even when the records\' TTL is shorter [default: 0s]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand rotate" -l quiet-period -d 'Blue has drained after this long at or below --drain-threshold; at least one --metric-sampling-period [default: 5m]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand rotate" -l drain-threshold -d 'Requests per second on blue that count as drained [default: 0]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand rotate" -l drain-timeout -d 'Stop waiting for the drain after this long, resumably [default: 2h]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand rotate" -l metric-sampling-period -d 'Cloud Monitoring sampling period of the request-count metric [default: 60s]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand rotate" -l metric-ingestion-delay -d 'Cloud Monitoring ingestion delay of the request-count metric [default: 210s]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand rotate" -l create-timeout -d 'Give up building and proving green after this long [default: 30m]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand rotate" -l dns-timeout -d 'Give up waiting for DNS after this long [default: 10m]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand rotate" -l cleanup-timeout -d 'Give up waiting for the old load balancer to disappear after this long [default: 30m]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand rotate" -l state -d 'The state file that records a rotation [default: `rotate-cert.<namespace>.<name>.state.json` in the current directory, from `--ingress`]' -r -F
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand rotate" -l output -d 'Output format: `human` (messages and progress on stderr) or `json` (one JSON object or event per line on stdout)' -r -f -a "human\t'Messages and progress for people, on stderr'
json\t'Machine-readable JSON on stdout'"
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand rotate" -l project -d 'Google Cloud project [default: from the credentials, or `CLOUDSDK_CORE_PROJECT`]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand rotate" -l context -d 'Kubernetes context from the kubeconfig [default: the current context]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand rotate" -l break-lock -d 'Take over a lock left by a run on another host (only when sure it is not running)'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand rotate" -l force -d 'Skip the drain wait (recorded as a warning in the state file)'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand rotate" -s q -l quiet -d 'Print only errors (no progress, no step lines)'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand rotate" -s v -l verbose -d 'More detail on stderr; repeat for debug logs (`-vv`)'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand rotate" -s y -l yes -d 'Answer yes to confirmations (required for changes when stdin is not a terminal)'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand rotate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand rotate" -s V -l version -d 'Print version'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand create" -l ingress -d 'The live Ingress to rotate, as NAMESPACE/NAME' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand create" -l cert -d 'PEM file with the new certificate chain, leaf first' -r -F
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand create" -l key -d 'PEM file with the new private key (never printed or stored)' -r -F
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand create" -l from-secret -d 'Take the new certificate from a TLS Secret (e.g. cert-manager\'s) as NAMESPACE/NAME' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand create" -l compute-endpoint -d 'Compute API base URL [default: `CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE`, else Google\'s]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand create" -l dns-endpoint -d 'Cloud DNS API base URL [default: `CLOUDSDK_API_ENDPOINT_OVERRIDES_DNS`, else Google\'s]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand create" -l monitoring-endpoint -d 'Cloud Monitoring API base URL [default: `CLOUDSDK_API_ENDPOINT_OVERRIDES_MONITORING`, else Google\'s]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand create" -l access-token-file -d 'A file holding a Google OAuth access token (instead of application default credentials)' -r -F
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand create" -l credentials-file -d 'A service-account key file (instead of `GOOGLE_APPLICATION_CREDENTIALS`)' -r -F
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand create" -l zone -d 'Cloud DNS zone holding the records [default: the public zone with the longest matching suffix]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand create" -l nameserver -d 'Authoritative nameserver to verify, IP[:PORT] (repeatable) [default: the zone\'s `nameServers`]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand create" -l probe-port -d 'Port of the load balancers\' HTTPS listeners, for TLS probes [default: 443]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand create" -l ca-file -d 'PEM file of extra CA certificates that verify the served chain (private CAs)' -r -F
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand create" -l min-validity -d 'The new certificate must stay valid at least this long [default: 14d]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand create" -l min-drain -d 'Drain at least this long after DNS is verified, even when the records\' TTL is shorter [default: 0s]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand create" -l quiet-period -d 'Blue has drained after this long at or below --drain-threshold; at least one --metric-sampling-period [default: 5m]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand create" -l drain-threshold -d 'Requests per second on blue that count as drained [default: 0]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand create" -l drain-timeout -d 'Stop waiting for the drain after this long, resumably [default: 2h]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand create" -l metric-sampling-period -d 'Cloud Monitoring sampling period of the request-count metric [default: 60s]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand create" -l metric-ingestion-delay -d 'Cloud Monitoring ingestion delay of the request-count metric [default: 210s]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand create" -l create-timeout -d 'Give up building and proving green after this long [default: 30m]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand create" -l dns-timeout -d 'Give up waiting for DNS after this long [default: 10m]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand create" -l cleanup-timeout -d 'Give up waiting for the old load balancer to disappear after this long [default: 30m]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand create" -l state -d 'The state file that records a rotation [default: `rotate-cert.<namespace>.<name>.state.json` in the current directory, from `--ingress`]' -r -F
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand create" -l output -d 'Output format: `human` (messages and progress on stderr) or `json` (one JSON object or event per line on stdout)' -r -f -a "human\t'Messages and progress for people, on stderr'
json\t'Machine-readable JSON on stdout'"
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand create" -l project -d 'Google Cloud project [default: from the credentials, or `CLOUDSDK_CORE_PROJECT`]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand create" -l context -d 'Kubernetes context from the kubeconfig [default: the current context]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand create" -l break-lock -d 'Take over a lock left by a run on another host (only when sure it is not running)'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand create" -l force -d 'Skip the drain wait (recorded as a warning in the state file)'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand create" -s q -l quiet -d 'Print only errors (no progress, no step lines)'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand create" -s v -l verbose -d 'More detail on stderr; repeat for debug logs (`-vv`)'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand create" -s y -l yes -d 'Answer yes to confirmations (required for changes when stdin is not a terminal)'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand create" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand create" -s V -l version -d 'Print version'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand switch-dns" -l ingress -d 'The live Ingress to rotate, as NAMESPACE/NAME' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand switch-dns" -l compute-endpoint -d 'Compute API base URL [default: `CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE`, else Google\'s]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand switch-dns" -l dns-endpoint -d 'Cloud DNS API base URL [default: `CLOUDSDK_API_ENDPOINT_OVERRIDES_DNS`, else Google\'s]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand switch-dns" -l monitoring-endpoint -d 'Cloud Monitoring API base URL [default: `CLOUDSDK_API_ENDPOINT_OVERRIDES_MONITORING`, else Google\'s]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand switch-dns" -l access-token-file -d 'A file holding a Google OAuth access token (instead of application default credentials)' -r -F
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand switch-dns" -l credentials-file -d 'A service-account key file (instead of `GOOGLE_APPLICATION_CREDENTIALS`)' -r -F
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand switch-dns" -l zone -d 'Cloud DNS zone holding the records [default: the public zone with the longest matching suffix]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand switch-dns" -l nameserver -d 'Authoritative nameserver to verify, IP[:PORT] (repeatable) [default: the zone\'s `nameServers`]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand switch-dns" -l probe-port -d 'Port of the load balancers\' HTTPS listeners, for TLS probes [default: 443]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand switch-dns" -l ca-file -d 'PEM file of extra CA certificates that verify the served chain (private CAs)' -r -F
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand switch-dns" -l min-validity -d 'The new certificate must stay valid at least this long [default: 14d]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand switch-dns" -l min-drain -d 'Drain at least this long after DNS is verified, even when the records\' TTL is shorter [default: 0s]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand switch-dns" -l quiet-period -d 'Blue has drained after this long at or below --drain-threshold; at least one --metric-sampling-period [default: 5m]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand switch-dns" -l drain-threshold -d 'Requests per second on blue that count as drained [default: 0]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand switch-dns" -l drain-timeout -d 'Stop waiting for the drain after this long, resumably [default: 2h]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand switch-dns" -l metric-sampling-period -d 'Cloud Monitoring sampling period of the request-count metric [default: 60s]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand switch-dns" -l metric-ingestion-delay -d 'Cloud Monitoring ingestion delay of the request-count metric [default: 210s]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand switch-dns" -l create-timeout -d 'Give up building and proving green after this long [default: 30m]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand switch-dns" -l dns-timeout -d 'Give up waiting for DNS after this long [default: 10m]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand switch-dns" -l cleanup-timeout -d 'Give up waiting for the old load balancer to disappear after this long [default: 30m]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand switch-dns" -l state -d 'The state file that records a rotation [default: `rotate-cert.<namespace>.<name>.state.json` in the current directory, from `--ingress`]' -r -F
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand switch-dns" -l output -d 'Output format: `human` (messages and progress on stderr) or `json` (one JSON object or event per line on stdout)' -r -f -a "human\t'Messages and progress for people, on stderr'
json\t'Machine-readable JSON on stdout'"
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand switch-dns" -l project -d 'Google Cloud project [default: from the credentials, or `CLOUDSDK_CORE_PROJECT`]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand switch-dns" -l context -d 'Kubernetes context from the kubeconfig [default: the current context]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand switch-dns" -l break-lock -d 'Take over a lock left by a run on another host (only when sure it is not running)'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand switch-dns" -l force -d 'Skip the drain wait: blue\'s, or green\'s for `rollback` (recorded as a warning in the state file)'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand switch-dns" -s q -l quiet -d 'Print only errors (no progress, no step lines)'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand switch-dns" -s v -l verbose -d 'More detail on stderr; repeat for debug logs (`-vv`)'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand switch-dns" -s y -l yes -d 'Answer yes to confirmations (required for changes when stdin is not a terminal)'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand switch-dns" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand switch-dns" -s V -l version -d 'Print version'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand drain" -l ingress -d 'The live Ingress to rotate, as NAMESPACE/NAME' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand drain" -l compute-endpoint -d 'Compute API base URL [default: `CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE`, else Google\'s]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand drain" -l dns-endpoint -d 'Cloud DNS API base URL [default: `CLOUDSDK_API_ENDPOINT_OVERRIDES_DNS`, else Google\'s]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand drain" -l monitoring-endpoint -d 'Cloud Monitoring API base URL [default: `CLOUDSDK_API_ENDPOINT_OVERRIDES_MONITORING`, else Google\'s]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand drain" -l access-token-file -d 'A file holding a Google OAuth access token (instead of application default credentials)' -r -F
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand drain" -l credentials-file -d 'A service-account key file (instead of `GOOGLE_APPLICATION_CREDENTIALS`)' -r -F
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand drain" -l zone -d 'Cloud DNS zone holding the records [default: the public zone with the longest matching suffix]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand drain" -l nameserver -d 'Authoritative nameserver to verify, IP[:PORT] (repeatable) [default: the zone\'s `nameServers`]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand drain" -l probe-port -d 'Port of the load balancers\' HTTPS listeners, for TLS probes [default: 443]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand drain" -l ca-file -d 'PEM file of extra CA certificates that verify the served chain (private CAs)' -r -F
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand drain" -l min-validity -d 'The new certificate must stay valid at least this long [default: 14d]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand drain" -l min-drain -d 'Drain at least this long after DNS is verified, even when the records\' TTL is shorter [default: 0s]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand drain" -l quiet-period -d 'Blue has drained after this long at or below --drain-threshold; at least one --metric-sampling-period [default: 5m]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand drain" -l drain-threshold -d 'Requests per second on blue that count as drained [default: 0]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand drain" -l drain-timeout -d 'Stop waiting for the drain after this long, resumably [default: 2h]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand drain" -l metric-sampling-period -d 'Cloud Monitoring sampling period of the request-count metric [default: 60s]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand drain" -l metric-ingestion-delay -d 'Cloud Monitoring ingestion delay of the request-count metric [default: 210s]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand drain" -l create-timeout -d 'Give up building and proving green after this long [default: 30m]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand drain" -l dns-timeout -d 'Give up waiting for DNS after this long [default: 10m]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand drain" -l cleanup-timeout -d 'Give up waiting for the old load balancer to disappear after this long [default: 30m]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand drain" -l state -d 'The state file that records a rotation [default: `rotate-cert.<namespace>.<name>.state.json` in the current directory, from `--ingress`]' -r -F
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand drain" -l output -d 'Output format: `human` (messages and progress on stderr) or `json` (one JSON object or event per line on stdout)' -r -f -a "human\t'Messages and progress for people, on stderr'
json\t'Machine-readable JSON on stdout'"
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand drain" -l project -d 'Google Cloud project [default: from the credentials, or `CLOUDSDK_CORE_PROJECT`]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand drain" -l context -d 'Kubernetes context from the kubeconfig [default: the current context]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand drain" -l break-lock -d 'Take over a lock left by a run on another host (only when sure it is not running)'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand drain" -l force -d 'Skip the drain wait: blue\'s, or green\'s for `rollback` (recorded as a warning in the state file)'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand drain" -s q -l quiet -d 'Print only errors (no progress, no step lines)'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand drain" -s v -l verbose -d 'More detail on stderr; repeat for debug logs (`-vv`)'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand drain" -s y -l yes -d 'Answer yes to confirmations (required for changes when stdin is not a terminal)'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand drain" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand drain" -s V -l version -d 'Print version'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand cleanup" -l ingress -d 'The live Ingress to rotate, as NAMESPACE/NAME' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand cleanup" -l compute-endpoint -d 'Compute API base URL [default: `CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE`, else Google\'s]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand cleanup" -l dns-endpoint -d 'Cloud DNS API base URL [default: `CLOUDSDK_API_ENDPOINT_OVERRIDES_DNS`, else Google\'s]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand cleanup" -l monitoring-endpoint -d 'Cloud Monitoring API base URL [default: `CLOUDSDK_API_ENDPOINT_OVERRIDES_MONITORING`, else Google\'s]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand cleanup" -l access-token-file -d 'A file holding a Google OAuth access token (instead of application default credentials)' -r -F
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand cleanup" -l credentials-file -d 'A service-account key file (instead of `GOOGLE_APPLICATION_CREDENTIALS`)' -r -F
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand cleanup" -l zone -d 'Cloud DNS zone holding the records [default: the public zone with the longest matching suffix]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand cleanup" -l nameserver -d 'Authoritative nameserver to verify, IP[:PORT] (repeatable) [default: the zone\'s `nameServers`]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand cleanup" -l probe-port -d 'Port of the load balancers\' HTTPS listeners, for TLS probes [default: 443]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand cleanup" -l ca-file -d 'PEM file of extra CA certificates that verify the served chain (private CAs)' -r -F
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand cleanup" -l min-validity -d 'The new certificate must stay valid at least this long [default: 14d]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand cleanup" -l min-drain -d 'Drain at least this long after DNS is verified, even when the records\' TTL is shorter [default: 0s]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand cleanup" -l quiet-period -d 'Blue has drained after this long at or below --drain-threshold; at least one --metric-sampling-period [default: 5m]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand cleanup" -l drain-threshold -d 'Requests per second on blue that count as drained [default: 0]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand cleanup" -l drain-timeout -d 'Stop waiting for the drain after this long, resumably [default: 2h]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand cleanup" -l metric-sampling-period -d 'Cloud Monitoring sampling period of the request-count metric [default: 60s]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand cleanup" -l metric-ingestion-delay -d 'Cloud Monitoring ingestion delay of the request-count metric [default: 210s]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand cleanup" -l create-timeout -d 'Give up building and proving green after this long [default: 30m]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand cleanup" -l dns-timeout -d 'Give up waiting for DNS after this long [default: 10m]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand cleanup" -l cleanup-timeout -d 'Give up waiting for the old load balancer to disappear after this long [default: 30m]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand cleanup" -l state -d 'The state file that records a rotation [default: `rotate-cert.<namespace>.<name>.state.json` in the current directory, from `--ingress`]' -r -F
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand cleanup" -l output -d 'Output format: `human` (messages and progress on stderr) or `json` (one JSON object or event per line on stdout)' -r -f -a "human\t'Messages and progress for people, on stderr'
json\t'Machine-readable JSON on stdout'"
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand cleanup" -l project -d 'Google Cloud project [default: from the credentials, or `CLOUDSDK_CORE_PROJECT`]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand cleanup" -l context -d 'Kubernetes context from the kubeconfig [default: the current context]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand cleanup" -l break-lock -d 'Take over a lock left by a run on another host (only when sure it is not running)'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand cleanup" -l force -d 'Skip the drain wait: blue\'s, or green\'s for `rollback` (recorded as a warning in the state file)'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand cleanup" -s q -l quiet -d 'Print only errors (no progress, no step lines)'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand cleanup" -s v -l verbose -d 'More detail on stderr; repeat for debug logs (`-vv`)'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand cleanup" -s y -l yes -d 'Answer yes to confirmations (required for changes when stdin is not a terminal)'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand cleanup" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand cleanup" -s V -l version -d 'Print version'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand resume" -l ingress -d 'The live Ingress to rotate, as NAMESPACE/NAME' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand resume" -l compute-endpoint -d 'Compute API base URL [default: `CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE`, else Google\'s]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand resume" -l dns-endpoint -d 'Cloud DNS API base URL [default: `CLOUDSDK_API_ENDPOINT_OVERRIDES_DNS`, else Google\'s]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand resume" -l monitoring-endpoint -d 'Cloud Monitoring API base URL [default: `CLOUDSDK_API_ENDPOINT_OVERRIDES_MONITORING`, else Google\'s]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand resume" -l access-token-file -d 'A file holding a Google OAuth access token (instead of application default credentials)' -r -F
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand resume" -l credentials-file -d 'A service-account key file (instead of `GOOGLE_APPLICATION_CREDENTIALS`)' -r -F
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand resume" -l zone -d 'Cloud DNS zone holding the records [default: the public zone with the longest matching suffix]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand resume" -l nameserver -d 'Authoritative nameserver to verify, IP[:PORT] (repeatable) [default: the zone\'s `nameServers`]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand resume" -l probe-port -d 'Port of the load balancers\' HTTPS listeners, for TLS probes [default: 443]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand resume" -l ca-file -d 'PEM file of extra CA certificates that verify the served chain (private CAs)' -r -F
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand resume" -l min-validity -d 'The new certificate must stay valid at least this long [default: 14d]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand resume" -l min-drain -d 'Drain at least this long after DNS is verified, even when the records\' TTL is shorter [default: 0s]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand resume" -l quiet-period -d 'Blue has drained after this long at or below --drain-threshold; at least one --metric-sampling-period [default: 5m]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand resume" -l drain-threshold -d 'Requests per second on blue that count as drained [default: 0]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand resume" -l drain-timeout -d 'Stop waiting for the drain after this long, resumably [default: 2h]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand resume" -l metric-sampling-period -d 'Cloud Monitoring sampling period of the request-count metric [default: 60s]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand resume" -l metric-ingestion-delay -d 'Cloud Monitoring ingestion delay of the request-count metric [default: 210s]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand resume" -l create-timeout -d 'Give up building and proving green after this long [default: 30m]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand resume" -l dns-timeout -d 'Give up waiting for DNS after this long [default: 10m]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand resume" -l cleanup-timeout -d 'Give up waiting for the old load balancer to disappear after this long [default: 30m]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand resume" -l state -d 'The state file that records a rotation [default: `rotate-cert.<namespace>.<name>.state.json` in the current directory, from `--ingress`]' -r -F
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand resume" -l output -d 'Output format: `human` (messages and progress on stderr) or `json` (one JSON object or event per line on stdout)' -r -f -a "human\t'Messages and progress for people, on stderr'
json\t'Machine-readable JSON on stdout'"
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand resume" -l project -d 'Google Cloud project [default: from the credentials, or `CLOUDSDK_CORE_PROJECT`]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand resume" -l context -d 'Kubernetes context from the kubeconfig [default: the current context]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand resume" -l break-lock -d 'Take over a lock left by a run on another host (only when sure it is not running)'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand resume" -l force -d 'Skip the drain wait: blue\'s, or green\'s for `rollback` (recorded as a warning in the state file)'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand resume" -s q -l quiet -d 'Print only errors (no progress, no step lines)'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand resume" -s v -l verbose -d 'More detail on stderr; repeat for debug logs (`-vv`)'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand resume" -s y -l yes -d 'Answer yes to confirmations (required for changes when stdin is not a terminal)'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand resume" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand resume" -s V -l version -d 'Print version'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand status" -l ingress -d 'The live Ingress to rotate, as NAMESPACE/NAME' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand status" -l compute-endpoint -d 'Compute API base URL [default: `CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE`, else Google\'s]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand status" -l dns-endpoint -d 'Cloud DNS API base URL [default: `CLOUDSDK_API_ENDPOINT_OVERRIDES_DNS`, else Google\'s]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand status" -l monitoring-endpoint -d 'Cloud Monitoring API base URL [default: `CLOUDSDK_API_ENDPOINT_OVERRIDES_MONITORING`, else Google\'s]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand status" -l access-token-file -d 'A file holding a Google OAuth access token (instead of application default credentials)' -r -F
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand status" -l credentials-file -d 'A service-account key file (instead of `GOOGLE_APPLICATION_CREDENTIALS`)' -r -F
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand status" -l zone -d 'Cloud DNS zone holding the records [default: the public zone with the longest matching suffix]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand status" -l nameserver -d 'Authoritative nameserver to verify, IP[:PORT] (repeatable) [default: the zone\'s `nameServers`]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand status" -l probe-port -d 'Port of the load balancers\' HTTPS listeners, for TLS probes [default: 443]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand status" -l ca-file -d 'PEM file of extra CA certificates that verify the served chain (private CAs)' -r -F
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand status" -l state -d 'The state file that records a rotation [default: `rotate-cert.<namespace>.<name>.state.json` in the current directory, from `--ingress`]' -r -F
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand status" -l output -d 'Output format: `human` (messages and progress on stderr) or `json` (one JSON object or event per line on stdout)' -r -f -a "human\t'Messages and progress for people, on stderr'
json\t'Machine-readable JSON on stdout'"
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand status" -l project -d 'Google Cloud project [default: from the credentials, or `CLOUDSDK_CORE_PROJECT`]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand status" -l context -d 'Kubernetes context from the kubeconfig [default: the current context]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand status" -l offline -d 'Show only what the state file records (no live checks)'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand status" -s q -l quiet -d 'Print only errors (no progress, no step lines)'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand status" -s v -l verbose -d 'More detail on stderr; repeat for debug logs (`-vv`)'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand status" -s y -l yes -d 'Answer yes to confirmations (required for changes when stdin is not a terminal)'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand status" -s V -l version -d 'Print version'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand rollback" -l ingress -d 'The live Ingress to rotate, as NAMESPACE/NAME' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand rollback" -l compute-endpoint -d 'Compute API base URL [default: `CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE`, else Google\'s]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand rollback" -l dns-endpoint -d 'Cloud DNS API base URL [default: `CLOUDSDK_API_ENDPOINT_OVERRIDES_DNS`, else Google\'s]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand rollback" -l monitoring-endpoint -d 'Cloud Monitoring API base URL [default: `CLOUDSDK_API_ENDPOINT_OVERRIDES_MONITORING`, else Google\'s]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand rollback" -l access-token-file -d 'A file holding a Google OAuth access token (instead of application default credentials)' -r -F
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand rollback" -l credentials-file -d 'A service-account key file (instead of `GOOGLE_APPLICATION_CREDENTIALS`)' -r -F
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand rollback" -l zone -d 'Cloud DNS zone holding the records [default: the public zone with the longest matching suffix]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand rollback" -l nameserver -d 'Authoritative nameserver to verify, IP[:PORT] (repeatable) [default: the zone\'s `nameServers`]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand rollback" -l probe-port -d 'Port of the load balancers\' HTTPS listeners, for TLS probes [default: 443]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand rollback" -l ca-file -d 'PEM file of extra CA certificates that verify the served chain (private CAs)' -r -F
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand rollback" -l min-validity -d 'The new certificate must stay valid at least this long [default: 14d]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand rollback" -l min-drain -d 'Drain at least this long after DNS is verified, even when the records\' TTL is shorter [default: 0s]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand rollback" -l quiet-period -d 'Blue has drained after this long at or below --drain-threshold; at least one --metric-sampling-period [default: 5m]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand rollback" -l drain-threshold -d 'Requests per second on blue that count as drained [default: 0]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand rollback" -l drain-timeout -d 'Stop waiting for the drain after this long, resumably [default: 2h]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand rollback" -l metric-sampling-period -d 'Cloud Monitoring sampling period of the request-count metric [default: 60s]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand rollback" -l metric-ingestion-delay -d 'Cloud Monitoring ingestion delay of the request-count metric [default: 210s]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand rollback" -l create-timeout -d 'Give up building and proving green after this long [default: 30m]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand rollback" -l dns-timeout -d 'Give up waiting for DNS after this long [default: 10m]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand rollback" -l cleanup-timeout -d 'Give up waiting for the old load balancer to disappear after this long [default: 30m]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand rollback" -l state -d 'The state file that records a rotation [default: `rotate-cert.<namespace>.<name>.state.json` in the current directory, from `--ingress`]' -r -F
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand rollback" -l output -d 'Output format: `human` (messages and progress on stderr) or `json` (one JSON object or event per line on stdout)' -r -f -a "human\t'Messages and progress for people, on stderr'
json\t'Machine-readable JSON on stdout'"
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand rollback" -l project -d 'Google Cloud project [default: from the credentials, or `CLOUDSDK_CORE_PROJECT`]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand rollback" -l context -d 'Kubernetes context from the kubeconfig [default: the current context]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand rollback" -l break-lock -d 'Take over a lock left by a run on another host (only when sure it is not running)'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand rollback" -l force -d 'Skip the drain wait: blue\'s, or green\'s for `rollback` (recorded as a warning in the state file)'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand rollback" -s q -l quiet -d 'Print only errors (no progress, no step lines)'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand rollback" -s v -l verbose -d 'More detail on stderr; repeat for debug logs (`-vv`)'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand rollback" -s y -l yes -d 'Answer yes to confirmations (required for changes when stdin is not a terminal)'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand rollback" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand rollback" -s V -l version -d 'Print version'
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
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand sandbox; and not __fish_seen_subcommand_from up demo load help" -l state -d 'The state file that records a rotation [default: `rotate-cert.<namespace>.<name>.state.json` in the current directory, from `--ingress`]' -r -F
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand sandbox; and not __fish_seen_subcommand_from up demo load help" -l output -d 'Output format: `human` (messages and progress on stderr) or `json` (one JSON object or event per line on stdout)' -r -f -a "human\t'Messages and progress for people, on stderr'
json\t'Machine-readable JSON on stdout'"
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand sandbox; and not __fish_seen_subcommand_from up demo load help" -l project -d 'Google Cloud project [default: from the credentials, or `CLOUDSDK_CORE_PROJECT`]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand sandbox; and not __fish_seen_subcommand_from up demo load help" -l context -d 'Kubernetes context from the kubeconfig [default: the current context]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand sandbox; and not __fish_seen_subcommand_from up demo load help" -s q -l quiet -d 'Print only errors (no progress, no step lines)'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand sandbox; and not __fish_seen_subcommand_from up demo load help" -s v -l verbose -d 'More detail on stderr; repeat for debug logs (`-vv`)'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand sandbox; and not __fish_seen_subcommand_from up demo load help" -s y -l yes -d 'Answer yes to confirmations (required for changes when stdin is not a terminal)'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand sandbox; and not __fish_seen_subcommand_from up demo load help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand sandbox; and not __fish_seen_subcommand_from up demo load help" -s V -l version -d 'Print version'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand sandbox; and not __fish_seen_subcommand_from up demo load help" -f -a "up" -d 'Start the sandbox on loopback, write its files into DIR, and serve until Ctrl-C'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand sandbox; and not __fish_seen_subcommand_from up demo load help" -f -a "demo" -d 'Start a sandbox, put it under load, rotate its Ingress, and report what clients saw'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand sandbox; and not __fish_seen_subcommand_from up demo load help" -f -a "load" -d 'Run HTTPS clients against a running sandbox (resolving through its DNS) and report'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand sandbox; and not __fish_seen_subcommand_from up demo load help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
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
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand sandbox; and __fish_seen_subcommand_from demo" -l time-scale -d 'Multiply every realistic delay by this factor' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand sandbox; and __fish_seen_subcommand_from demo" -l clients -d 'Concurrent clients' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand sandbox; and __fish_seen_subcommand_from demo" -l dir -d 'Keep the sandbox files and the state file in DIR (default: a temporary directory, removed at the end)' -r -F
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand sandbox; and __fish_seen_subcommand_from demo" -l state -d 'The state file that records a rotation [default: `rotate-cert.<namespace>.<name>.state.json` in the current directory, from `--ingress`]' -r -F
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand sandbox; and __fish_seen_subcommand_from demo" -l output -d 'Output format: `human` (messages and progress on stderr) or `json` (one JSON object or event per line on stdout)' -r -f -a "human\t'Messages and progress for people, on stderr'
json\t'Machine-readable JSON on stdout'"
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand sandbox; and __fish_seen_subcommand_from demo" -l project -d 'Google Cloud project [default: from the credentials, or `CLOUDSDK_CORE_PROJECT`]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand sandbox; and __fish_seen_subcommand_from demo" -l context -d 'Kubernetes context from the kubeconfig [default: the current context]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand sandbox; and __fish_seen_subcommand_from demo" -s q -l quiet -d 'Print only errors (no progress, no step lines)'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand sandbox; and __fish_seen_subcommand_from demo" -s v -l verbose -d 'More detail on stderr; repeat for debug logs (`-vv`)'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand sandbox; and __fish_seen_subcommand_from demo" -s y -l yes -d 'Answer yes to confirmations (required for changes when stdin is not a terminal)'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand sandbox; and __fish_seen_subcommand_from demo" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand sandbox; and __fish_seen_subcommand_from demo" -s V -l version -d 'Print version'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand sandbox; and __fish_seen_subcommand_from load" -l dir -d 'The directory `sandbox up` wrote (its `env` names the DNS server, port and CA)' -r -F
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand sandbox; and __fish_seen_subcommand_from load" -l clients -d 'Concurrent clients' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand sandbox; and __fish_seen_subcommand_from load" -l duration -d 'Stop after this long (default: at Ctrl-C)' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand sandbox; and __fish_seen_subcommand_from load" -l host -d 'Host to request (repeatable)' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand sandbox; and __fish_seen_subcommand_from load" -l state -d 'The state file that records a rotation [default: `rotate-cert.<namespace>.<name>.state.json` in the current directory, from `--ingress`]' -r -F
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand sandbox; and __fish_seen_subcommand_from load" -l output -d 'Output format: `human` (messages and progress on stderr) or `json` (one JSON object or event per line on stdout)' -r -f -a "human\t'Messages and progress for people, on stderr'
json\t'Machine-readable JSON on stdout'"
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand sandbox; and __fish_seen_subcommand_from load" -l project -d 'Google Cloud project [default: from the credentials, or `CLOUDSDK_CORE_PROJECT`]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand sandbox; and __fish_seen_subcommand_from load" -l context -d 'Kubernetes context from the kubeconfig [default: the current context]' -r
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand sandbox; and __fish_seen_subcommand_from load" -s q -l quiet -d 'Print only errors (no progress, no step lines)'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand sandbox; and __fish_seen_subcommand_from load" -s v -l verbose -d 'More detail on stderr; repeat for debug logs (`-vv`)'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand sandbox; and __fish_seen_subcommand_from load" -s y -l yes -d 'Answer yes to confirmations (required for changes when stdin is not a terminal)'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand sandbox; and __fish_seen_subcommand_from load" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand sandbox; and __fish_seen_subcommand_from load" -s V -l version -d 'Print version'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand sandbox; and __fish_seen_subcommand_from help" -f -a "up" -d 'Start the sandbox on loopback, write its files into DIR, and serve until Ctrl-C'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand sandbox; and __fish_seen_subcommand_from help" -f -a "demo" -d 'Start a sandbox, put it under load, rotate its Ingress, and report what clients saw'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand sandbox; and __fish_seen_subcommand_from help" -f -a "load" -d 'Run HTTPS clients against a running sandbox (resolving through its DNS) and report'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand sandbox; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand help; and not __fish_seen_subcommand_from check-cert plan rotate create switch-dns drain cleanup resume status rollback completions sandbox help" -f -a "check-cert" -d 'Check a certificate and key before rotating to them (exit 0 pass, 2 fail)'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand help; and not __fish_seen_subcommand_from check-cert plan rotate create switch-dns drain cleanup resume status rollback completions sandbox help" -f -a "plan" -d 'Show what a rotation would change, without changing anything'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand help; and not __fish_seen_subcommand_from check-cert plan rotate create switch-dns drain cleanup resume status rollback completions sandbox help" -f -a "rotate" -d 'Rotate: plan, confirm, then run every step (create, switch-dns, drain, cleanup)'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand help; and not __fish_seen_subcommand_from check-cert plan rotate create switch-dns drain cleanup resume status rollback completions sandbox help" -f -a "create" -d 'Step 1: create the green Secret and Ingress and prove them by TLS handshake'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand help; and not __fish_seen_subcommand_from check-cert plan rotate create switch-dns drain cleanup resume status rollback completions sandbox help" -f -a "switch-dns" -d 'Step 2: switch the DNS records to green (one atomic change per zone) and verify every nameserver'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand help; and not __fish_seen_subcommand_from check-cert plan rotate create switch-dns drain cleanup resume status rollback completions sandbox help" -f -a "drain" -d 'Step 3: wait until blue has drained (Cloud Monitoring request counts)'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand help; and not __fish_seen_subcommand_from check-cert plan rotate create switch-dns drain cleanup resume status rollback completions sandbox help" -f -a "cleanup" -d 'Step 4: delete the blue Ingress (and what rotate-cert itself created for it)'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand help; and not __fish_seen_subcommand_from check-cert plan rotate create switch-dns drain cleanup resume status rollback completions sandbox help" -f -a "resume" -d 'Continue a recorded rotation from where it stopped'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand help; and not __fish_seen_subcommand_from check-cert plan rotate create switch-dns drain cleanup resume status rollback completions sandbox help" -f -a "status" -d 'Show a recorded rotation and what DNS and both load balancers serve now'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand help; and not __fish_seen_subcommand_from check-cert plan rotate create switch-dns drain cleanup resume status rollback completions sandbox help" -f -a "rollback" -d 'Undo a rotation that has not reached cleanup (DNS back to blue, green removed)'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand help; and not __fish_seen_subcommand_from check-cert plan rotate create switch-dns drain cleanup resume status rollback completions sandbox help" -f -a "completions" -d 'Print a shell completion script to stdout'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand help; and not __fish_seen_subcommand_from check-cert plan rotate create switch-dns drain cleanup resume status rollback completions sandbox help" -f -a "sandbox" -d 'A simulated GKE + Google Cloud on loopback, for rehearsals and tests'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand help; and not __fish_seen_subcommand_from check-cert plan rotate create switch-dns drain cleanup resume status rollback completions sandbox help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand help; and __fish_seen_subcommand_from sandbox" -f -a "up" -d 'Start the sandbox on loopback, write its files into DIR, and serve until Ctrl-C'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand help; and __fish_seen_subcommand_from sandbox" -f -a "demo" -d 'Start a sandbox, put it under load, rotate its Ingress, and report what clients saw'
complete -c rotate-cert -n "__fish_rotate_cert_using_subcommand help; and __fish_seen_subcommand_from sandbox" -f -a "load" -d 'Run HTTPS clients against a running sandbox (resolving through its DNS) and report'
