
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
        'rotate-cert;sandbox;help' {
            [CompletionResult]::new('up', 'up', [CompletionResultType]::ParameterValue, 'Start the sandbox on loopback, write its files into DIR, and serve until Ctrl-C')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'rotate-cert;sandbox;help;up' {
            break
        }
        'rotate-cert;sandbox;help;help' {
            break
        }
        'rotate-cert;help' {
            [CompletionResult]::new('check-cert', 'check-cert', [CompletionResultType]::ParameterValue, 'Check a certificate and key before rotating to them (exit 0 pass, 2 fail)')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script to stdout')
            [CompletionResult]::new('sandbox', 'sandbox', [CompletionResultType]::ParameterValue, 'A simulated GKE + Google Cloud on loopback, for rehearsals and tests')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'rotate-cert;help;check-cert' {
            break
        }
        'rotate-cert;help;completions' {
            break
        }
        'rotate-cert;help;sandbox' {
            [CompletionResult]::new('up', 'up', [CompletionResultType]::ParameterValue, 'Start the sandbox on loopback, write its files into DIR, and serve until Ctrl-C')
            break
        }
        'rotate-cert;help;sandbox;up' {
            break
        }
        'rotate-cert;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
