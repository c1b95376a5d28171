
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'rotate-cert' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'rotate-cert'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'rotate-cert' {
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'The state file that records a rotation [default: `rotate-cert.<namespace>.<name>.state.json` in the current directory, from `--ingress`]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: `human` (messages and progress on stderr) or `json` (one JSON object or event per line on stdout)')
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Google Cloud project [default: from the credentials, or `CLOUDSDK_CORE_PROJECT`]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubernetes context from the kubeconfig [default: the current context]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors (no progress, no step lines)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors (no progress, no step lines)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr; repeat for debug logs (`-vv`)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr; repeat for debug logs (`-vv`)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required for changes when stdin is not a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required for changes when stdin is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('check-cert', 'check-cert', [CompletionResultType]::ParameterValue, 'Check a certificate and key before rotating to them (exit 0 pass, 2 fail)')
            [CompletionResult]::new('plan', 'plan', [CompletionResultType]::ParameterValue, 'Show what a rotation would change, without changing anything')
            [CompletionResult]::new('rotate', 'rotate', [CompletionResultType]::ParameterValue, 'Rotate: plan, confirm, then run every step (create, switch-dns, drain, cleanup)')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Step 1: create the green Secret and Ingress and prove them by TLS handshake')
            [CompletionResult]::new('switch-dns', 'switch-dns', [CompletionResultType]::ParameterValue, 'Step 2: switch the DNS records to green (one atomic change per zone) and verify every nameserver')
            [CompletionResult]::new('drain', 'drain', [CompletionResultType]::ParameterValue, 'Step 3: wait until blue has drained (Cloud Monitoring request counts)')
            [CompletionResult]::new('cleanup', 'cleanup', [CompletionResultType]::ParameterValue, 'Step 4: delete the blue Ingress (and what rotate-cert itself created for it)')
            [CompletionResult]::new('resume', 'resume', [CompletionResultType]::ParameterValue, 'Continue a recorded rotation from where it stopped')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show a recorded rotation and what DNS and both load balancers serve now')
            [CompletionResult]::new('rollback', 'rollback', [CompletionResultType]::ParameterValue, 'Undo a rotation that has not reached cleanup (DNS back to blue, green removed)')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script to stdout')
            [CompletionResult]::new('sandbox', 'sandbox', [CompletionResultType]::ParameterValue, 'A simulated GKE + Google Cloud on loopback, for rehearsals and tests')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'rotate-cert;check-cert' {
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'PEM file with the certificate chain, leaf first')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'PEM file with the private key (PKCS#8, PKCS#1 or SEC1; not encrypted)')
            [CompletionResult]::new('--hostname', '--hostname', [CompletionResultType]::ParameterName, 'A hostname the certificate must cover (repeatable)')
            [CompletionResult]::new('--min-validity', '--min-validity', [CompletionResultType]::ParameterName, 'Fail when the certificate expires within this time')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'The state file that records a rotation [default: `rotate-cert.<namespace>.<name>.state.json` in the current directory, from `--ingress`]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: `human` (messages and progress on stderr) or `json` (one JSON object or event per line on stdout)')
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Google Cloud project [default: from the credentials, or `CLOUDSDK_CORE_PROJECT`]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubernetes context from the kubeconfig [default: the current context]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors (no progress, no step lines)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors (no progress, no step lines)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr; repeat for debug logs (`-vv`)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr; repeat for debug logs (`-vv`)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required for changes when stdin is not a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required for changes when stdin is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rotate-cert;plan' {
            [CompletionResult]::new('--ingress', '--ingress', [CompletionResultType]::ParameterName, 'The live Ingress to rotate, as NAMESPACE/NAME')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'PEM file with the new certificate chain, leaf first')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'PEM file with the new private key (never printed or stored)')
            [CompletionResult]::new('--from-secret', '--from-secret', [CompletionResultType]::ParameterName, 'Take the new certificate from a TLS Secret (e.g. cert-manager''s) as NAMESPACE/NAME')
            [CompletionResult]::new('--compute-endpoint', '--compute-endpoint', [CompletionResultType]::ParameterName, 'Compute API base URL [default: `CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE`, else Google''s]')
            [CompletionResult]::new('--dns-endpoint', '--dns-endpoint', [CompletionResultType]::ParameterName, 'Cloud DNS API base URL [default: `CLOUDSDK_API_ENDPOINT_OVERRIDES_DNS`, else Google''s]')
            [CompletionResult]::new('--monitoring-endpoint', '--monitoring-endpoint', [CompletionResultType]::ParameterName, 'Cloud Monitoring API base URL [default: `CLOUDSDK_API_ENDPOINT_OVERRIDES_MONITORING`, else Google''s]')
            [CompletionResult]::new('--access-token-file', '--access-token-file', [CompletionResultType]::ParameterName, 'A file holding a Google OAuth access token (instead of application default credentials)')
            [CompletionResult]::new('--credentials-file', '--credentials-file', [CompletionResultType]::ParameterName, 'A service-account key file (instead of `GOOGLE_APPLICATION_CREDENTIALS`)')
            [CompletionResult]::new('--zone', '--zone', [CompletionResultType]::ParameterName, 'Cloud DNS zone holding the records [default: the public zone with the longest matching suffix]')
            [CompletionResult]::new('--nameserver', '--nameserver', [CompletionResultType]::ParameterName, 'Authoritative nameserver to verify, IP[:PORT] (repeatable) [default: the zone''s `nameServers`]')
            [CompletionResult]::new('--probe-port', '--probe-port', [CompletionResultType]::ParameterName, 'Port of the load balancers'' HTTPS listeners, for TLS probes [default: 443]')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'PEM file of extra CA certificates that verify the served chain (private CAs)')
            [CompletionResult]::new('--min-validity', '--min-validity', [CompletionResultType]::ParameterName, 'The new certificate must stay valid at least this long [default: 14d]')
            [CompletionResult]::new('--min-drain', '--min-drain', [CompletionResultType]::ParameterName, 'Drain at least this long after DNS is verified, even when the records'' TTL is shorter [default: 0s]')
            [CompletionResult]::new('--quiet-period', '--quiet-period', [CompletionResultType]::ParameterName, 'Blue has drained after this long at or below --drain-threshold; at least one --metric-sampling-period [default: 5m]')
            [CompletionResult]::new('--drain-threshold', '--drain-threshold', [CompletionResultType]::ParameterName, 'Requests per second on blue that count as drained [default: 0]')
            [CompletionResult]::new('--drain-timeout', '--drain-timeout', [CompletionResultType]::ParameterName, 'Stop waiting for the drain after this long, resumably [default: 2h]')
            [CompletionResult]::new('--metric-sampling-period', '--metric-sampling-period', [CompletionResultType]::ParameterName, 'Cloud Monitoring sampling period of the request-count metric [default: 60s]')
            [CompletionResult]::new('--metric-ingestion-delay', '--metric-ingestion-delay', [CompletionResultType]::ParameterName, 'Cloud Monitoring ingestion delay of the request-count metric [default: 210s]')
            [CompletionResult]::new('--create-timeout', '--create-timeout', [CompletionResultType]::ParameterName, 'Give up building and proving green after this long [default: 30m]')
            [CompletionResult]::new('--dns-timeout', '--dns-timeout', [CompletionResultType]::ParameterName, 'Give up waiting for DNS after this long [default: 10m]')
            [CompletionResult]::new('--cleanup-timeout', '--cleanup-timeout', [CompletionResultType]::ParameterName, 'Give up waiting for the old load balancer to disappear after this long [default: 30m]')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'The state file that records a rotation [default: `rotate-cert.<namespace>.<name>.state.json` in the current directory, from `--ingress`]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: `human` (messages and progress on stderr) or `json` (one JSON object or event per line on stdout)')
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Google Cloud project [default: from the credentials, or `CLOUDSDK_CORE_PROJECT`]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubernetes context from the kubeconfig [default: the current context]')
            [CompletionResult]::new('--break-lock', '--break-lock', [CompletionResultType]::ParameterName, 'Take over a lock left by a run on another host (only when sure it is not running)')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Skip the drain wait (recorded as a warning in the state file)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors (no progress, no step lines)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors (no progress, no step lines)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr; repeat for debug logs (`-vv`)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr; repeat for debug logs (`-vv`)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required for changes when stdin is not a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required for changes when stdin is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rotate-cert;rotate' {
            [CompletionResult]::new('--ingress', '--ingress', [CompletionResultType]::ParameterName, 'The live Ingress to rotate, as NAMESPACE/NAME')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'PEM file with the new certificate chain, leaf first')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'PEM file with the new private key (never printed or stored)')
            [CompletionResult]::new('--from-secret', '--from-secret', [CompletionResultType]::ParameterName, 'Take the new certificate from a TLS Secret (e.g. cert-manager''s) as NAMESPACE/NAME')
            [CompletionResult]::new('--compute-endpoint', '--compute-endpoint', [CompletionResultType]::ParameterName, 'Compute API base URL [default: `CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE`, else Google''s]')
            [CompletionResult]::new('--dns-endpoint', '--dns-endpoint', [CompletionResultType]::ParameterName, 'Cloud DNS API base URL [default: `CLOUDSDK_API_ENDPOINT_OVERRIDES_DNS`, else Google''s]')
            [CompletionResult]::new('--monitoring-endpoint', '--monitoring-endpoint', [CompletionResultType]::ParameterName, 'Cloud Monitoring API base URL [default: `CLOUDSDK_API_ENDPOINT_OVERRIDES_MONITORING`, else Google''s]')
            [CompletionResult]::new('--access-token-file', '--access-token-file', [CompletionResultType]::ParameterName, 'A file holding a Google OAuth access token (instead of application default credentials)')
            [CompletionResult]::new('--credentials-file', '--credentials-file', [CompletionResultType]::ParameterName, 'A service-account key file (instead of `GOOGLE_APPLICATION_CREDENTIALS`)')
            [CompletionResult]::new('--zone', '--zone', [CompletionResultType]::ParameterName, 'Cloud DNS zone holding the records [default: the public zone with the longest matching suffix]')
            [CompletionResult]::new('--nameserver', '--nameserver', [CompletionResultType]::ParameterName, 'Authoritative nameserver to verify, IP[:PORT] (repeatable) [default: the zone''s `nameServers`]')
            [CompletionResult]::new('--probe-port', '--probe-port', [CompletionResultType]::ParameterName, 'Port of the load balancers'' HTTPS listeners, for TLS probes [default: 443]')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'PEM file of extra CA certificates that verify the served chain (private CAs)')
            [CompletionResult]::new('--min-validity', '--min-validity', [CompletionResultType]::ParameterName, 'The new certificate must stay valid at least this long [default: 14d]')
            [CompletionResult]::new('--min-drain', '--min-drain', [CompletionResultType]::ParameterName, 'Drain at least this long after DNS is verified, even when the records'' TTL is shorter [default: 0s]')
            [CompletionResult]::new('--quiet-period', '--quiet-period', [CompletionResultType]::ParameterName, 'Blue has drained after this long at or below --drain-threshold; at least one --metric-sampling-period [default: 5m]')
            [CompletionResult]::new('--drain-threshold', '--drain-threshold', [CompletionResultType]::ParameterName, 'Requests per second on blue that count as drained [default: 0]')
            [CompletionResult]::new('--drain-timeout', '--drain-timeout', [CompletionResultType]::ParameterName, 'Stop waiting for the drain after this long, resumably [default: 2h]')
            [CompletionResult]::new('--metric-sampling-period', '--metric-sampling-period', [CompletionResultType]::ParameterName, 'Cloud Monitoring sampling period of the request-count metric [default: 60s]')
            [CompletionResult]::new('--metric-ingestion-delay', '--metric-ingestion-delay', [CompletionResultType]::ParameterName, 'Cloud Monitoring ingestion delay of the request-count metric [default: 210s]')
            [CompletionResult]::new('--create-timeout', '--create-timeout', [CompletionResultType]::ParameterName, 'Give up building and proving green after this long [default: 30m]')
            [CompletionResult]::new('--dns-timeout', '--dns-timeout', [CompletionResultType]::ParameterName, 'Give up waiting for DNS after this long [default: 10m]')
            [CompletionResult]::new('--cleanup-timeout', '--cleanup-timeout', [CompletionResultType]::ParameterName, 'Give up waiting for the old load balancer to disappear after this long [default: 30m]')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'The state file that records a rotation [default: `rotate-cert.<namespace>.<name>.state.json` in the current directory, from `--ingress`]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: `human` (messages and progress on stderr) or `json` (one JSON object or event per line on stdout)')
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Google Cloud project [default: from the credentials, or `CLOUDSDK_CORE_PROJECT`]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubernetes context from the kubeconfig [default: the current context]')
            [CompletionResult]::new('--break-lock', '--break-lock', [CompletionResultType]::ParameterName, 'Take over a lock left by a run on another host (only when sure it is not running)')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Skip the drain wait (recorded as a warning in the state file)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors (no progress, no step lines)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors (no progress, no step lines)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr; repeat for debug logs (`-vv`)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr; repeat for debug logs (`-vv`)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required for changes when stdin is not a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required for changes when stdin is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rotate-cert;create' {
            [CompletionResult]::new('--ingress', '--ingress', [CompletionResultType]::ParameterName, 'The live Ingress to rotate, as NAMESPACE/NAME')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'PEM file with the new certificate chain, leaf first')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'PEM file with the new private key (never printed or stored)')
            [CompletionResult]::new('--from-secret', '--from-secret', [CompletionResultType]::ParameterName, 'Take the new certificate from a TLS Secret (e.g. cert-manager''s) as NAMESPACE/NAME')
            [CompletionResult]::new('--compute-endpoint', '--compute-endpoint', [CompletionResultType]::ParameterName, 'Compute API base URL [default: `CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE`, else Google''s]')
            [CompletionResult]::new('--dns-endpoint', '--dns-endpoint', [CompletionResultType]::ParameterName, 'Cloud DNS API base URL [default: `CLOUDSDK_API_ENDPOINT_OVERRIDES_DNS`, else Google''s]')
            [CompletionResult]::new('--monitoring-endpoint', '--monitoring-endpoint', [CompletionResultType]::ParameterName, 'Cloud Monitoring API base URL [default: `CLOUDSDK_API_ENDPOINT_OVERRIDES_MONITORING`, else Google''s]')
            [CompletionResult]::new('--access-token-file', '--access-token-file', [CompletionResultType]::ParameterName, 'A file holding a Google OAuth access token (instead of application default credentials)')
            [CompletionResult]::new('--credentials-file', '--credentials-file', [CompletionResultType]::ParameterName, 'A service-account key file (instead of `GOOGLE_APPLICATION_CREDENTIALS`)')
            [CompletionResult]::new('--zone', '--zone', [CompletionResultType]::ParameterName, 'Cloud DNS zone holding the records [default: the public zone with the longest matching suffix]')
            [CompletionResult]::new('--nameserver', '--nameserver', [CompletionResultType]::ParameterName, 'Authoritative nameserver to verify, IP[:PORT] (repeatable) [default: the zone''s `nameServers`]')
            [CompletionResult]::new('--probe-port', '--probe-port', [CompletionResultType]::ParameterName, 'Port of the load balancers'' HTTPS listeners, for TLS probes [default: 443]')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'PEM file of extra CA certificates that verify the served chain (private CAs)')
            [CompletionResult]::new('--min-validity', '--min-validity', [CompletionResultType]::ParameterName, 'The new certificate must stay valid at least this long [default: 14d]')
            [CompletionResult]::new('--min-drain', '--min-drain', [CompletionResultType]::ParameterName, 'Drain at least this long after DNS is verified, even when the records'' TTL is shorter [default: 0s]')
            [CompletionResult]::new('--quiet-period', '--quiet-period', [CompletionResultType]::ParameterName, 'Blue has drained after this long at or below --drain-threshold; at least one --metric-sampling-period [default: 5m]')
            [CompletionResult]::new('--drain-threshold', '--drain-threshold', [CompletionResultType]::ParameterName, 'Requests per second on blue that count as drained [default: 0]')
            [CompletionResult]::new('--drain-timeout', '--drain-timeout', [CompletionResultType]::ParameterName, 'Stop waiting for the drain after this long, resumably [default: 2h]')
            [CompletionResult]::new('--metric-sampling-period', '--metric-sampling-period', [CompletionResultType]::ParameterName, 'Cloud Monitoring sampling period of the request-count metric [default: 60s]')
            [CompletionResult]::new('--metric-ingestion-delay', '--metric-ingestion-delay', [CompletionResultType]::ParameterName, 'Cloud Monitoring ingestion delay of the request-count metric [default: 210s]')
            [CompletionResult]::new('--create-timeout', '--create-timeout', [CompletionResultType]::ParameterName, 'Give up building and proving green after this long [default: 30m]')
            [CompletionResult]::new('--dns-timeout', '--dns-timeout', [CompletionResultType]::ParameterName, 'Give up waiting for DNS after this long [default: 10m]')
            [CompletionResult]::new('--cleanup-timeout', '--cleanup-timeout', [CompletionResultType]::ParameterName, 'Give up waiting for the old load balancer to disappear after this long [default: 30m]')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'The state file that records a rotation [default: `rotate-cert.<namespace>.<name>.state.json` in the current directory, from `--ingress`]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: `human` (messages and progress on stderr) or `json` (one JSON object or event per line on stdout)')
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Google Cloud project [default: from the credentials, or `CLOUDSDK_CORE_PROJECT`]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubernetes context from the kubeconfig [default: the current context]')
            [CompletionResult]::new('--break-lock', '--break-lock', [CompletionResultType]::ParameterName, 'Take over a lock left by a run on another host (only when sure it is not running)')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Skip the drain wait (recorded as a warning in the state file)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors (no progress, no step lines)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors (no progress, no step lines)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr; repeat for debug logs (`-vv`)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr; repeat for debug logs (`-vv`)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required for changes when stdin is not a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required for changes when stdin is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rotate-cert;switch-dns' {
            [CompletionResult]::new('--ingress', '--ingress', [CompletionResultType]::ParameterName, 'The live Ingress to rotate, as NAMESPACE/NAME')
            [CompletionResult]::new('--compute-endpoint', '--compute-endpoint', [CompletionResultType]::ParameterName, 'Compute API base URL [default: `CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE`, else Google''s]')
            [CompletionResult]::new('--dns-endpoint', '--dns-endpoint', [CompletionResultType]::ParameterName, 'Cloud DNS API base URL [default: `CLOUDSDK_API_ENDPOINT_OVERRIDES_DNS`, else Google''s]')
            [CompletionResult]::new('--monitoring-endpoint', '--monitoring-endpoint', [CompletionResultType]::ParameterName, 'Cloud Monitoring API base URL [default: `CLOUDSDK_API_ENDPOINT_OVERRIDES_MONITORING`, else Google''s]')
            [CompletionResult]::new('--access-token-file', '--access-token-file', [CompletionResultType]::ParameterName, 'A file holding a Google OAuth access token (instead of application default credentials)')
            [CompletionResult]::new('--credentials-file', '--credentials-file', [CompletionResultType]::ParameterName, 'A service-account key file (instead of `GOOGLE_APPLICATION_CREDENTIALS`)')
            [CompletionResult]::new('--zone', '--zone', [CompletionResultType]::ParameterName, 'Cloud DNS zone holding the records [default: the public zone with the longest matching suffix]')
            [CompletionResult]::new('--nameserver', '--nameserver', [CompletionResultType]::ParameterName, 'Authoritative nameserver to verify, IP[:PORT] (repeatable) [default: the zone''s `nameServers`]')
            [CompletionResult]::new('--probe-port', '--probe-port', [CompletionResultType]::ParameterName, 'Port of the load balancers'' HTTPS listeners, for TLS probes [default: 443]')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'PEM file of extra CA certificates that verify the served chain (private CAs)')
            [CompletionResult]::new('--min-validity', '--min-validity', [CompletionResultType]::ParameterName, 'The new certificate must stay valid at least this long [default: 14d]')
            [CompletionResult]::new('--min-drain', '--min-drain', [CompletionResultType]::ParameterName, 'Drain at least this long after DNS is verified, even when the records'' TTL is shorter [default: 0s]')
            [CompletionResult]::new('--quiet-period', '--quiet-period', [CompletionResultType]::ParameterName, 'Blue has drained after this long at or below --drain-threshold; at least one --metric-sampling-period [default: 5m]')
            [CompletionResult]::new('--drain-threshold', '--drain-threshold', [CompletionResultType]::ParameterName, 'Requests per second on blue that count as drained [default: 0]')
            [CompletionResult]::new('--drain-timeout', '--drain-timeout', [CompletionResultType]::ParameterName, 'Stop waiting for the drain after this long, resumably [default: 2h]')
            [CompletionResult]::new('--metric-sampling-period', '--metric-sampling-period', [CompletionResultType]::ParameterName, 'Cloud Monitoring sampling period of the request-count metric [default: 60s]')
            [CompletionResult]::new('--metric-ingestion-delay', '--metric-ingestion-delay', [CompletionResultType]::ParameterName, 'Cloud Monitoring ingestion delay of the request-count metric [default: 210s]')
            [CompletionResult]::new('--create-timeout', '--create-timeout', [CompletionResultType]::ParameterName, 'Give up building and proving green after this long [default: 30m]')
            [CompletionResult]::new('--dns-timeout', '--dns-timeout', [CompletionResultType]::ParameterName, 'Give up waiting for DNS after this long [default: 10m]')
            [CompletionResult]::new('--cleanup-timeout', '--cleanup-timeout', [CompletionResultType]::ParameterName, 'Give up waiting for the old load balancer to disappear after this long [default: 30m]')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'The state file that records a rotation [default: `rotate-cert.<namespace>.<name>.state.json` in the current directory, from `--ingress`]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: `human` (messages and progress on stderr) or `json` (one JSON object or event per line on stdout)')
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Google Cloud project [default: from the credentials, or `CLOUDSDK_CORE_PROJECT`]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubernetes context from the kubeconfig [default: the current context]')
            [CompletionResult]::new('--break-lock', '--break-lock', [CompletionResultType]::ParameterName, 'Take over a lock left by a run on another host (only when sure it is not running)')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Skip the drain wait: blue''s, or green''s for `rollback` (recorded as a warning in the state file)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors (no progress, no step lines)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors (no progress, no step lines)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr; repeat for debug logs (`-vv`)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr; repeat for debug logs (`-vv`)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required for changes when stdin is not a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required for changes when stdin is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rotate-cert;drain' {
            [CompletionResult]::new('--ingress', '--ingress', [CompletionResultType]::ParameterName, 'The live Ingress to rotate, as NAMESPACE/NAME')
            [CompletionResult]::new('--compute-endpoint', '--compute-endpoint', [CompletionResultType]::ParameterName, 'Compute API base URL [default: `CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE`, else Google''s]')
            [CompletionResult]::new('--dns-endpoint', '--dns-endpoint', [CompletionResultType]::ParameterName, 'Cloud DNS API base URL [default: `CLOUDSDK_API_ENDPOINT_OVERRIDES_DNS`, else Google''s]')
            [CompletionResult]::new('--monitoring-endpoint', '--monitoring-endpoint', [CompletionResultType]::ParameterName, 'Cloud Monitoring API base URL [default: `CLOUDSDK_API_ENDPOINT_OVERRIDES_MONITORING`, else Google''s]')
            [CompletionResult]::new('--access-token-file', '--access-token-file', [CompletionResultType]::ParameterName, 'A file holding a Google OAuth access token (instead of application default credentials)')
            [CompletionResult]::new('--credentials-file', '--credentials-file', [CompletionResultType]::ParameterName, 'A service-account key file (instead of `GOOGLE_APPLICATION_CREDENTIALS`)')
            [CompletionResult]::new('--zone', '--zone', [CompletionResultType]::ParameterName, 'Cloud DNS zone holding the records [default: the public zone with the longest matching suffix]')
            [CompletionResult]::new('--nameserver', '--nameserver', [CompletionResultType]::ParameterName, 'Authoritative nameserver to verify, IP[:PORT] (repeatable) [default: the zone''s `nameServers`]')
            [CompletionResult]::new('--probe-port', '--probe-port', [CompletionResultType]::ParameterName, 'Port of the load balancers'' HTTPS listeners, for TLS probes [default: 443]')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'PEM file of extra CA certificates that verify the served chain (private CAs)')
            [CompletionResult]::new('--min-validity', '--min-validity', [CompletionResultType]::ParameterName, 'The new certificate must stay valid at least this long [default: 14d]')
            [CompletionResult]::new('--min-drain', '--min-drain', [CompletionResultType]::ParameterName, 'Drain at least this long after DNS is verified, even when the records'' TTL is shorter [default: 0s]')
            [CompletionResult]::new('--quiet-period', '--quiet-period', [CompletionResultType]::ParameterName, 'Blue has drained after this long at or below --drain-threshold; at least one --metric-sampling-period [default: 5m]')
            [CompletionResult]::new('--drain-threshold', '--drain-threshold', [CompletionResultType]::ParameterName, 'Requests per second on blue that count as drained [default: 0]')
            [CompletionResult]::new('--drain-timeout', '--drain-timeout', [CompletionResultType]::ParameterName, 'Stop waiting for the drain after this long, resumably [default: 2h]')
            [CompletionResult]::new('--metric-sampling-period', '--metric-sampling-period', [CompletionResultType]::ParameterName, 'Cloud Monitoring sampling period of the request-count metric [default: 60s]')
            [CompletionResult]::new('--metric-ingestion-delay', '--metric-ingestion-delay', [CompletionResultType]::ParameterName, 'Cloud Monitoring ingestion delay of the request-count metric [default: 210s]')
            [CompletionResult]::new('--create-timeout', '--create-timeout', [CompletionResultType]::ParameterName, 'Give up building and proving green after this long [default: 30m]')
            [CompletionResult]::new('--dns-timeout', '--dns-timeout', [CompletionResultType]::ParameterName, 'Give up waiting for DNS after this long [default: 10m]')
            [CompletionResult]::new('--cleanup-timeout', '--cleanup-timeout', [CompletionResultType]::ParameterName, 'Give up waiting for the old load balancer to disappear after this long [default: 30m]')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'The state file that records a rotation [default: `rotate-cert.<namespace>.<name>.state.json` in the current directory, from `--ingress`]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: `human` (messages and progress on stderr) or `json` (one JSON object or event per line on stdout)')
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Google Cloud project [default: from the credentials, or `CLOUDSDK_CORE_PROJECT`]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubernetes context from the kubeconfig [default: the current context]')
            [CompletionResult]::new('--break-lock', '--break-lock', [CompletionResultType]::ParameterName, 'Take over a lock left by a run on another host (only when sure it is not running)')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Skip the drain wait: blue''s, or green''s for `rollback` (recorded as a warning in the state file)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors (no progress, no step lines)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors (no progress, no step lines)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr; repeat for debug logs (`-vv`)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr; repeat for debug logs (`-vv`)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required for changes when stdin is not a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required for changes when stdin is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rotate-cert;cleanup' {
            [CompletionResult]::new('--ingress', '--ingress', [CompletionResultType]::ParameterName, 'The live Ingress to rotate, as NAMESPACE/NAME')
            [CompletionResult]::new('--compute-endpoint', '--compute-endpoint', [CompletionResultType]::ParameterName, 'Compute API base URL [default: `CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE`, else Google''s]')
            [CompletionResult]::new('--dns-endpoint', '--dns-endpoint', [CompletionResultType]::ParameterName, 'Cloud DNS API base URL [default: `CLOUDSDK_API_ENDPOINT_OVERRIDES_DNS`, else Google''s]')
            [CompletionResult]::new('--monitoring-endpoint', '--monitoring-endpoint', [CompletionResultType]::ParameterName, 'Cloud Monitoring API base URL [default: `CLOUDSDK_API_ENDPOINT_OVERRIDES_MONITORING`, else Google''s]')
            [CompletionResult]::new('--access-token-file', '--access-token-file', [CompletionResultType]::ParameterName, 'A file holding a Google OAuth access token (instead of application default credentials)')
            [CompletionResult]::new('--credentials-file', '--credentials-file', [CompletionResultType]::ParameterName, 'A service-account key file (instead of `GOOGLE_APPLICATION_CREDENTIALS`)')
            [CompletionResult]::new('--zone', '--zone', [CompletionResultType]::ParameterName, 'Cloud DNS zone holding the records [default: the public zone with the longest matching suffix]')
            [CompletionResult]::new('--nameserver', '--nameserver', [CompletionResultType]::ParameterName, 'Authoritative nameserver to verify, IP[:PORT] (repeatable) [default: the zone''s `nameServers`]')
            [CompletionResult]::new('--probe-port', '--probe-port', [CompletionResultType]::ParameterName, 'Port of the load balancers'' HTTPS listeners, for TLS probes [default: 443]')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'PEM file of extra CA certificates that verify the served chain (private CAs)')
            [CompletionResult]::new('--min-validity', '--min-validity', [CompletionResultType]::ParameterName, 'The new certificate must stay valid at least this long [default: 14d]')
            [CompletionResult]::new('--min-drain', '--min-drain', [CompletionResultType]::ParameterName, 'Drain at least this long after DNS is verified, even when the records'' TTL is shorter [default: 0s]')
            [CompletionResult]::new('--quiet-period', '--quiet-period', [CompletionResultType]::ParameterName, 'Blue has drained after this long at or below --drain-threshold; at least one --metric-sampling-period [default: 5m]')
            [CompletionResult]::new('--drain-threshold', '--drain-threshold', [CompletionResultType]::ParameterName, 'Requests per second on blue that count as drained [default: 0]')
            [CompletionResult]::new('--drain-timeout', '--drain-timeout', [CompletionResultType]::ParameterName, 'Stop waiting for the drain after this long, resumably [default: 2h]')
            [CompletionResult]::new('--metric-sampling-period', '--metric-sampling-period', [CompletionResultType]::ParameterName, 'Cloud Monitoring sampling period of the request-count metric [default: 60s]')
            [CompletionResult]::new('--metric-ingestion-delay', '--metric-ingestion-delay', [CompletionResultType]::ParameterName, 'Cloud Monitoring ingestion delay of the request-count metric [default: 210s]')
            [CompletionResult]::new('--create-timeout', '--create-timeout', [CompletionResultType]::ParameterName, 'Give up building and proving green after this long [default: 30m]')
            [CompletionResult]::new('--dns-timeout', '--dns-timeout', [CompletionResultType]::ParameterName, 'Give up waiting for DNS after this long [default: 10m]')
            [CompletionResult]::new('--cleanup-timeout', '--cleanup-timeout', [CompletionResultType]::ParameterName, 'Give up waiting for the old load balancer to disappear after this long [default: 30m]')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'The state file that records a rotation [default: `rotate-cert.<namespace>.<name>.state.json` in the current directory, from `--ingress`]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: `human` (messages and progress on stderr) or `json` (one JSON object or event per line on stdout)')
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Google Cloud project [default: from the credentials, or `CLOUDSDK_CORE_PROJECT`]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubernetes context from the kubeconfig [default: the current context]')
            [CompletionResult]::new('--break-lock', '--break-lock', [CompletionResultType]::ParameterName, 'Take over a lock left by a run on another host (only when sure it is not running)')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Skip the drain wait: blue''s, or green''s for `rollback` (recorded as a warning in the state file)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors (no progress, no step lines)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors (no progress, no step lines)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr; repeat for debug logs (`-vv`)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr; repeat for debug logs (`-vv`)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required for changes when stdin is not a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required for changes when stdin is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rotate-cert;resume' {
            [CompletionResult]::new('--ingress', '--ingress', [CompletionResultType]::ParameterName, 'The live Ingress to rotate, as NAMESPACE/NAME')
            [CompletionResult]::new('--compute-endpoint', '--compute-endpoint', [CompletionResultType]::ParameterName, 'Compute API base URL [default: `CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE`, else Google''s]')
            [CompletionResult]::new('--dns-endpoint', '--dns-endpoint', [CompletionResultType]::ParameterName, 'Cloud DNS API base URL [default: `CLOUDSDK_API_ENDPOINT_OVERRIDES_DNS`, else Google''s]')
            [CompletionResult]::new('--monitoring-endpoint', '--monitoring-endpoint', [CompletionResultType]::ParameterName, 'Cloud Monitoring API base URL [default: `CLOUDSDK_API_ENDPOINT_OVERRIDES_MONITORING`, else Google''s]')
            [CompletionResult]::new('--access-token-file', '--access-token-file', [CompletionResultType]::ParameterName, 'A file holding a Google OAuth access token (instead of application default credentials)')
            [CompletionResult]::new('--credentials-file', '--credentials-file', [CompletionResultType]::ParameterName, 'A service-account key file (instead of `GOOGLE_APPLICATION_CREDENTIALS`)')
            [CompletionResult]::new('--zone', '--zone', [CompletionResultType]::ParameterName, 'Cloud DNS zone holding the records [default: the public zone with the longest matching suffix]')
            [CompletionResult]::new('--nameserver', '--nameserver', [CompletionResultType]::ParameterName, 'Authoritative nameserver to verify, IP[:PORT] (repeatable) [default: the zone''s `nameServers`]')
            [CompletionResult]::new('--probe-port', '--probe-port', [CompletionResultType]::ParameterName, 'Port of the load balancers'' HTTPS listeners, for TLS probes [default: 443]')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'PEM file of extra CA certificates that verify the served chain (private CAs)')
            [CompletionResult]::new('--min-validity', '--min-validity', [CompletionResultType]::ParameterName, 'The new certificate must stay valid at least this long [default: 14d]')
            [CompletionResult]::new('--min-drain', '--min-drain', [CompletionResultType]::ParameterName, 'Drain at least this long after DNS is verified, even when the records'' TTL is shorter [default: 0s]')
            [CompletionResult]::new('--quiet-period', '--quiet-period', [CompletionResultType]::ParameterName, 'Blue has drained after this long at or below --drain-threshold; at least one --metric-sampling-period [default: 5m]')
            [CompletionResult]::new('--drain-threshold', '--drain-threshold', [CompletionResultType]::ParameterName, 'Requests per second on blue that count as drained [default: 0]')
            [CompletionResult]::new('--drain-timeout', '--drain-timeout', [CompletionResultType]::ParameterName, 'Stop waiting for the drain after this long, resumably [default: 2h]')
            [CompletionResult]::new('--metric-sampling-period', '--metric-sampling-period', [CompletionResultType]::ParameterName, 'Cloud Monitoring sampling period of the request-count metric [default: 60s]')
            [CompletionResult]::new('--metric-ingestion-delay', '--metric-ingestion-delay', [CompletionResultType]::ParameterName, 'Cloud Monitoring ingestion delay of the request-count metric [default: 210s]')
            [CompletionResult]::new('--create-timeout', '--create-timeout', [CompletionResultType]::ParameterName, 'Give up building and proving green after this long [default: 30m]')
            [CompletionResult]::new('--dns-timeout', '--dns-timeout', [CompletionResultType]::ParameterName, 'Give up waiting for DNS after this long [default: 10m]')
            [CompletionResult]::new('--cleanup-timeout', '--cleanup-timeout', [CompletionResultType]::ParameterName, 'Give up waiting for the old load balancer to disappear after this long [default: 30m]')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'The state file that records a rotation [default: `rotate-cert.<namespace>.<name>.state.json` in the current directory, from `--ingress`]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: `human` (messages and progress on stderr) or `json` (one JSON object or event per line on stdout)')
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Google Cloud project [default: from the credentials, or `CLOUDSDK_CORE_PROJECT`]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubernetes context from the kubeconfig [default: the current context]')
            [CompletionResult]::new('--break-lock', '--break-lock', [CompletionResultType]::ParameterName, 'Take over a lock left by a run on another host (only when sure it is not running)')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Skip the drain wait: blue''s, or green''s for `rollback` (recorded as a warning in the state file)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors (no progress, no step lines)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors (no progress, no step lines)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr; repeat for debug logs (`-vv`)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr; repeat for debug logs (`-vv`)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required for changes when stdin is not a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required for changes when stdin is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rotate-cert;status' {
            [CompletionResult]::new('--ingress', '--ingress', [CompletionResultType]::ParameterName, 'The live Ingress to rotate, as NAMESPACE/NAME')
            [CompletionResult]::new('--compute-endpoint', '--compute-endpoint', [CompletionResultType]::ParameterName, 'Compute API base URL [default: `CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE`, else Google''s]')
            [CompletionResult]::new('--dns-endpoint', '--dns-endpoint', [CompletionResultType]::ParameterName, 'Cloud DNS API base URL [default: `CLOUDSDK_API_ENDPOINT_OVERRIDES_DNS`, else Google''s]')
            [CompletionResult]::new('--monitoring-endpoint', '--monitoring-endpoint', [CompletionResultType]::ParameterName, 'Cloud Monitoring API base URL [default: `CLOUDSDK_API_ENDPOINT_OVERRIDES_MONITORING`, else Google''s]')
            [CompletionResult]::new('--access-token-file', '--access-token-file', [CompletionResultType]::ParameterName, 'A file holding a Google OAuth access token (instead of application default credentials)')
            [CompletionResult]::new('--credentials-file', '--credentials-file', [CompletionResultType]::ParameterName, 'A service-account key file (instead of `GOOGLE_APPLICATION_CREDENTIALS`)')
            [CompletionResult]::new('--zone', '--zone', [CompletionResultType]::ParameterName, 'Cloud DNS zone holding the records [default: the public zone with the longest matching suffix]')
            [CompletionResult]::new('--nameserver', '--nameserver', [CompletionResultType]::ParameterName, 'Authoritative nameserver to verify, IP[:PORT] (repeatable) [default: the zone''s `nameServers`]')
            [CompletionResult]::new('--probe-port', '--probe-port', [CompletionResultType]::ParameterName, 'Port of the load balancers'' HTTPS listeners, for TLS probes [default: 443]')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'PEM file of extra CA certificates that verify the served chain (private CAs)')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'The state file that records a rotation [default: `rotate-cert.<namespace>.<name>.state.json` in the current directory, from `--ingress`]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: `human` (messages and progress on stderr) or `json` (one JSON object or event per line on stdout)')
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Google Cloud project [default: from the credentials, or `CLOUDSDK_CORE_PROJECT`]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubernetes context from the kubeconfig [default: the current context]')
            [CompletionResult]::new('--offline', '--offline', [CompletionResultType]::ParameterName, 'Show only what the state file records (no live checks)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors (no progress, no step lines)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors (no progress, no step lines)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr; repeat for debug logs (`-vv`)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr; repeat for debug logs (`-vv`)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required for changes when stdin is not a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required for changes when stdin is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rotate-cert;rollback' {
            [CompletionResult]::new('--ingress', '--ingress', [CompletionResultType]::ParameterName, 'The live Ingress to rotate, as NAMESPACE/NAME')
            [CompletionResult]::new('--compute-endpoint', '--compute-endpoint', [CompletionResultType]::ParameterName, 'Compute API base URL [default: `CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE`, else Google''s]')
            [CompletionResult]::new('--dns-endpoint', '--dns-endpoint', [CompletionResultType]::ParameterName, 'Cloud DNS API base URL [default: `CLOUDSDK_API_ENDPOINT_OVERRIDES_DNS`, else Google''s]')
            [CompletionResult]::new('--monitoring-endpoint', '--monitoring-endpoint', [CompletionResultType]::ParameterName, 'Cloud Monitoring API base URL [default: `CLOUDSDK_API_ENDPOINT_OVERRIDES_MONITORING`, else Google''s]')
            [CompletionResult]::new('--access-token-file', '--access-token-file', [CompletionResultType]::ParameterName, 'A file holding a Google OAuth access token (instead of application default credentials)')
            [CompletionResult]::new('--credentials-file', '--credentials-file', [CompletionResultType]::ParameterName, 'A service-account key file (instead of `GOOGLE_APPLICATION_CREDENTIALS`)')
            [CompletionResult]::new('--zone', '--zone', [CompletionResultType]::ParameterName, 'Cloud DNS zone holding the records [default: the public zone with the longest matching suffix]')
            [CompletionResult]::new('--nameserver', '--nameserver', [CompletionResultType]::ParameterName, 'Authoritative nameserver to verify, IP[:PORT] (repeatable) [default: the zone''s `nameServers`]')
            [CompletionResult]::new('--probe-port', '--probe-port', [CompletionResultType]::ParameterName, 'Port of the load balancers'' HTTPS listeners, for TLS probes [default: 443]')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'PEM file of extra CA certificates that verify the served chain (private CAs)')
            [CompletionResult]::new('--min-validity', '--min-validity', [CompletionResultType]::ParameterName, 'The new certificate must stay valid at least this long [default: 14d]')
            [CompletionResult]::new('--min-drain', '--min-drain', [CompletionResultType]::ParameterName, 'Drain at least this long after DNS is verified, even when the records'' TTL is shorter [default: 0s]')
            [CompletionResult]::new('--quiet-period', '--quiet-period', [CompletionResultType]::ParameterName, 'Blue has drained after this long at or below --drain-threshold; at least one --metric-sampling-period [default: 5m]')
            [CompletionResult]::new('--drain-threshold', '--drain-threshold', [CompletionResultType]::ParameterName, 'Requests per second on blue that count as drained [default: 0]')
            [CompletionResult]::new('--drain-timeout', '--drain-timeout', [CompletionResultType]::ParameterName, 'Stop waiting for the drain after this long, resumably [default: 2h]')
            [CompletionResult]::new('--metric-sampling-period', '--metric-sampling-period', [CompletionResultType]::ParameterName, 'Cloud Monitoring sampling period of the request-count metric [default: 60s]')
            [CompletionResult]::new('--metric-ingestion-delay', '--metric-ingestion-delay', [CompletionResultType]::ParameterName, 'Cloud Monitoring ingestion delay of the request-count metric [default: 210s]')
            [CompletionResult]::new('--create-timeout', '--create-timeout', [CompletionResultType]::ParameterName, 'Give up building and proving green after this long [default: 30m]')
            [CompletionResult]::new('--dns-timeout', '--dns-timeout', [CompletionResultType]::ParameterName, 'Give up waiting for DNS after this long [default: 10m]')
            [CompletionResult]::new('--cleanup-timeout', '--cleanup-timeout', [CompletionResultType]::ParameterName, 'Give up waiting for the old load balancer to disappear after this long [default: 30m]')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'The state file that records a rotation [default: `rotate-cert.<namespace>.<name>.state.json` in the current directory, from `--ingress`]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: `human` (messages and progress on stderr) or `json` (one JSON object or event per line on stdout)')
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Google Cloud project [default: from the credentials, or `CLOUDSDK_CORE_PROJECT`]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubernetes context from the kubeconfig [default: the current context]')
            [CompletionResult]::new('--break-lock', '--break-lock', [CompletionResultType]::ParameterName, 'Take over a lock left by a run on another host (only when sure it is not running)')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Skip the drain wait: blue''s, or green''s for `rollback` (recorded as a warning in the state file)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors (no progress, no step lines)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors (no progress, no step lines)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr; repeat for debug logs (`-vv`)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr; repeat for debug logs (`-vv`)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required for changes when stdin is not a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required for changes when stdin is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rotate-cert;completions' {
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'The state file that records a rotation [default: `rotate-cert.<namespace>.<name>.state.json` in the current directory, from `--ingress`]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: `human` (messages and progress on stderr) or `json` (one JSON object or event per line on stdout)')
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Google Cloud project [default: from the credentials, or `CLOUDSDK_CORE_PROJECT`]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubernetes context from the kubeconfig [default: the current context]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors (no progress, no step lines)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors (no progress, no step lines)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr; repeat for debug logs (`-vv`)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr; repeat for debug logs (`-vv`)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required for changes when stdin is not a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required for changes when stdin is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rotate-cert;sandbox' {
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'The state file that records a rotation [default: `rotate-cert.<namespace>.<name>.state.json` in the current directory, from `--ingress`]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: `human` (messages and progress on stderr) or `json` (one JSON object or event per line on stdout)')
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Google Cloud project [default: from the credentials, or `CLOUDSDK_CORE_PROJECT`]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubernetes context from the kubeconfig [default: the current context]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors (no progress, no step lines)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors (no progress, no step lines)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr; repeat for debug logs (`-vv`)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr; repeat for debug logs (`-vv`)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required for changes when stdin is not a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required for changes when stdin is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('up', 'up', [CompletionResultType]::ParameterValue, 'Start the sandbox on loopback, write its files into DIR, and serve until Ctrl-C')
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'Start a sandbox, put it under load, rotate its Ingress, and report what clients saw')
            [CompletionResult]::new('load', 'load', [CompletionResultType]::ParameterValue, 'Run HTTPS clients against a running sandbox (resolving through its DNS) and report')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'rotate-cert;sandbox;up' {
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Directory for the env file, kubeconfig, key file and certificates')
            [CompletionResult]::new('--time-scale', '--time-scale', [CompletionResultType]::ParameterName, 'Multiply every realistic delay by this factor (1 = real pace: a rotation takes about 20 minutes; the default makes it about a minute)')
            [CompletionResult]::new('--http-port', '--http-port', [CompletionResultType]::ParameterName, 'HTTP port on 127.0.0.1 (0 = any free port)')
            [CompletionResult]::new('--dns-port', '--dns-port', [CompletionResultType]::ParameterName, 'DNS port on 127.0.0.1, UDP and TCP (0 = any free port)')
            [CompletionResult]::new('--lb-port', '--lb-port', [CompletionResultType]::ParameterName, 'The load balancers'' TLS port (0 = any free port)')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'The state file that records a rotation [default: `rotate-cert.<namespace>.<name>.state.json` in the current directory, from `--ingress`]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: `human` (messages and progress on stderr) or `json` (one JSON object or event per line on stdout)')
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Google Cloud project [default: from the credentials, or `CLOUDSDK_CORE_PROJECT`]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubernetes context from the kubeconfig [default: the current context]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors (no progress, no step lines)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors (no progress, no step lines)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr; repeat for debug logs (`-vv`)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr; repeat for debug logs (`-vv`)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required for changes when stdin is not a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required for changes when stdin is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rotate-cert;sandbox;demo' {
            [CompletionResult]::new('--time-scale', '--time-scale', [CompletionResultType]::ParameterName, 'Multiply every realistic delay by this factor')
            [CompletionResult]::new('--clients', '--clients', [CompletionResultType]::ParameterName, 'Concurrent clients')
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Keep the sandbox files and the state file in DIR (default: a temporary directory, removed at the end)')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'The state file that records a rotation [default: `rotate-cert.<namespace>.<name>.state.json` in the current directory, from `--ingress`]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: `human` (messages and progress on stderr) or `json` (one JSON object or event per line on stdout)')
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Google Cloud project [default: from the credentials, or `CLOUDSDK_CORE_PROJECT`]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubernetes context from the kubeconfig [default: the current context]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors (no progress, no step lines)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors (no progress, no step lines)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr; repeat for debug logs (`-vv`)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr; repeat for debug logs (`-vv`)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required for changes when stdin is not a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required for changes when stdin is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rotate-cert;sandbox;load' {
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'The directory `sandbox up` wrote (its `env` names the DNS server, port and CA)')
            [CompletionResult]::new('--clients', '--clients', [CompletionResultType]::ParameterName, 'Concurrent clients')
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'Stop after this long (default: at Ctrl-C)')
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'Host to request (repeatable)')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'The state file that records a rotation [default: `rotate-cert.<namespace>.<name>.state.json` in the current directory, from `--ingress`]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: `human` (messages and progress on stderr) or `json` (one JSON object or event per line on stdout)')
            [CompletionResult]::new('--project', '--project', [CompletionResultType]::ParameterName, 'Google Cloud project [default: from the credentials, or `CLOUDSDK_CORE_PROJECT`]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubernetes context from the kubeconfig [default: the current context]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors (no progress, no step lines)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors (no progress, no step lines)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr; repeat for debug logs (`-vv`)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr; repeat for debug logs (`-vv`)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required for changes when stdin is not a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Answer yes to confirmations (required for changes when stdin is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rotate-cert;sandbox;help' {
            [CompletionResult]::new('up', 'up', [CompletionResultType]::ParameterValue, 'Start the sandbox on loopback, write its files into DIR, and serve until Ctrl-C')
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'Start a sandbox, put it under load, rotate its Ingress, and report what clients saw')
            [CompletionResult]::new('load', 'load', [CompletionResultType]::ParameterValue, 'Run HTTPS clients against a running sandbox (resolving through its DNS) and report')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'rotate-cert;sandbox;help;up' {
            break
        }
        'rotate-cert;sandbox;help;demo' {
            break
        }
        'rotate-cert;sandbox;help;load' {
            break
        }
        'rotate-cert;sandbox;help;help' {
            break
        }
        'rotate-cert;help' {
            [CompletionResult]::new('check-cert', 'check-cert', [CompletionResultType]::ParameterValue, 'Check a certificate and key before rotating to them (exit 0 pass, 2 fail)')
            [CompletionResult]::new('plan', 'plan', [CompletionResultType]::ParameterValue, 'Show what a rotation would change, without changing anything')
            [CompletionResult]::new('rotate', 'rotate', [CompletionResultType]::ParameterValue, 'Rotate: plan, confirm, then run every step (create, switch-dns, drain, cleanup)')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Step 1: create the green Secret and Ingress and prove them by TLS handshake')
            [CompletionResult]::new('switch-dns', 'switch-dns', [CompletionResultType]::ParameterValue, 'Step 2: switch the DNS records to green (one atomic change per zone) and verify every nameserver')
            [CompletionResult]::new('drain', 'drain', [CompletionResultType]::ParameterValue, 'Step 3: wait until blue has drained (Cloud Monitoring request counts)')
            [CompletionResult]::new('cleanup', 'cleanup', [CompletionResultType]::ParameterValue, 'Step 4: delete the blue Ingress (and what rotate-cert itself created for it)')
            [CompletionResult]::new('resume', 'resume', [CompletionResultType]::ParameterValue, 'Continue a recorded rotation from where it stopped')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show a recorded rotation and what DNS and both load balancers serve now')
            [CompletionResult]::new('rollback', 'rollback', [CompletionResultType]::ParameterValue, 'Undo a rotation that has not reached cleanup (DNS back to blue, green removed)')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script to stdout')
            [CompletionResult]::new('sandbox', 'sandbox', [CompletionResultType]::ParameterValue, 'A simulated GKE + Google Cloud on loopback, for rehearsals and tests')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'rotate-cert;help;check-cert' {
            break
        }
        'rotate-cert;help;plan' {
            break
        }
        'rotate-cert;help;rotate' {
            break
        }
        'rotate-cert;help;create' {
            break
        }
        'rotate-cert;help;switch-dns' {
            break
        }
        'rotate-cert;help;drain' {
            break
        }
        'rotate-cert;help;cleanup' {
            break
        }
        'rotate-cert;help;resume' {
            break
        }
        'rotate-cert;help;status' {
            break
        }
        'rotate-cert;help;rollback' {
            break
        }
        'rotate-cert;help;completions' {
            break
        }
        'rotate-cert;help;sandbox' {
            [CompletionResult]::new('up', 'up', [CompletionResultType]::ParameterValue, 'Start the sandbox on loopback, write its files into DIR, and serve until Ctrl-C')
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'Start a sandbox, put it under load, rotate its Ingress, and report what clients saw')
            [CompletionResult]::new('load', 'load', [CompletionResultType]::ParameterValue, 'Run HTTPS clients against a running sandbox (resolving through its DNS) and report')
            break
        }
        'rotate-cert;help;sandbox;up' {
            break
        }
        'rotate-cert;help;sandbox;demo' {
            break
        }
        'rotate-cert;help;sandbox;load' {
            break
        }
        'rotate-cert;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
