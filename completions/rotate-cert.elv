
use builtin;
use str;

set edit:completion:arg-completer[rotate-cert] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'rotate-cert'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'rotate-cert'= {
            cand --state 'The state file that records a rotation [default: `rotate-cert.<namespace>.<name>.state.json` in the current directory, from `--ingress`]'
            cand --output 'Output format: `human` (messages and progress on stderr) or `json` (one JSON object or event per line on stdout)'
            cand --project 'Google Cloud project [default: from the credentials, or `CLOUDSDK_CORE_PROJECT`]'
            cand --context 'Kubernetes context from the kubeconfig [default: the current context]'
            cand -q 'Print only errors (no progress, no step lines)'
            cand --quiet 'Print only errors (no progress, no step lines)'
            cand -v 'More detail on stderr; repeat for debug logs (`-vv`)'
            cand --verbose 'More detail on stderr; repeat for debug logs (`-vv`)'
            cand -y 'Answer yes to confirmations (required for changes when stdin is not a terminal)'
            cand --yes 'Answer yes to confirmations (required for changes when stdin is not a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand check-cert 'Check a certificate and key before rotating to them (exit 0 pass, 2 fail)'
            cand completions 'Print a shell completion script to stdout'
            cand sandbox 'A simulated GKE + Google Cloud on loopback, for rehearsals and tests'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'rotate-cert;check-cert'= {
            cand --cert 'PEM file with the certificate chain, leaf first'
            cand --key 'PEM file with the private key (PKCS#8, PKCS#1 or SEC1; not encrypted)'
            cand --hostname 'A hostname the certificate must cover (repeatable)'
            cand --min-validity 'Fail when the certificate expires within this time'
            cand --state 'The state file that records a rotation [default: `rotate-cert.<namespace>.<name>.state.json` in the current directory, from `--ingress`]'
            cand --output 'Output format: `human` (messages and progress on stderr) or `json` (one JSON object or event per line on stdout)'
            cand --project 'Google Cloud project [default: from the credentials, or `CLOUDSDK_CORE_PROJECT`]'
            cand --context 'Kubernetes context from the kubeconfig [default: the current context]'
            cand -q 'Print only errors (no progress, no step lines)'
            cand --quiet 'Print only errors (no progress, no step lines)'
            cand -v 'More detail on stderr; repeat for debug logs (`-vv`)'
            cand --verbose 'More detail on stderr; repeat for debug logs (`-vv`)'
            cand -y 'Answer yes to confirmations (required for changes when stdin is not a terminal)'
            cand --yes 'Answer yes to confirmations (required for changes when stdin is not a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'rotate-cert;completions'= {
            cand --state 'The state file that records a rotation [default: `rotate-cert.<namespace>.<name>.state.json` in the current directory, from `--ingress`]'
            cand --output 'Output format: `human` (messages and progress on stderr) or `json` (one JSON object or event per line on stdout)'
            cand --project 'Google Cloud project [default: from the credentials, or `CLOUDSDK_CORE_PROJECT`]'
            cand --context 'Kubernetes context from the kubeconfig [default: the current context]'
            cand -q 'Print only errors (no progress, no step lines)'
            cand --quiet 'Print only errors (no progress, no step lines)'
            cand -v 'More detail on stderr; repeat for debug logs (`-vv`)'
            cand --verbose 'More detail on stderr; repeat for debug logs (`-vv`)'
            cand -y 'Answer yes to confirmations (required for changes when stdin is not a terminal)'
            cand --yes 'Answer yes to confirmations (required for changes when stdin is not a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'rotate-cert;sandbox'= {
            cand --state 'The state file that records a rotation [default: `rotate-cert.<namespace>.<name>.state.json` in the current directory, from `--ingress`]'
            cand --output 'Output format: `human` (messages and progress on stderr) or `json` (one JSON object or event per line on stdout)'
            cand --project 'Google Cloud project [default: from the credentials, or `CLOUDSDK_CORE_PROJECT`]'
            cand --context 'Kubernetes context from the kubeconfig [default: the current context]'
            cand -q 'Print only errors (no progress, no step lines)'
            cand --quiet 'Print only errors (no progress, no step lines)'
            cand -v 'More detail on stderr; repeat for debug logs (`-vv`)'
            cand --verbose 'More detail on stderr; repeat for debug logs (`-vv`)'
            cand -y 'Answer yes to confirmations (required for changes when stdin is not a terminal)'
            cand --yes 'Answer yes to confirmations (required for changes when stdin is not a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand up 'Start the sandbox on loopback, write its files into DIR, and serve until Ctrl-C'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'rotate-cert;sandbox;up'= {
            cand --dir 'Directory for the env file, kubeconfig, key file and certificates'
            cand --time-scale 'Multiply every realistic delay by this factor (1 = real pace: a rotation takes about 20 minutes; the default makes it about a minute)'
            cand --http-port 'HTTP port on 127.0.0.1 (0 = any free port)'
            cand --dns-port 'DNS port on 127.0.0.1, UDP and TCP (0 = any free port)'
            cand --lb-port 'The load balancers'' TLS port (0 = any free port)'
            cand --state 'The state file that records a rotation [default: `rotate-cert.<namespace>.<name>.state.json` in the current directory, from `--ingress`]'
            cand --output 'Output format: `human` (messages and progress on stderr) or `json` (one JSON object or event per line on stdout)'
            cand --project 'Google Cloud project [default: from the credentials, or `CLOUDSDK_CORE_PROJECT`]'
            cand --context 'Kubernetes context from the kubeconfig [default: the current context]'
            cand -q 'Print only errors (no progress, no step lines)'
            cand --quiet 'Print only errors (no progress, no step lines)'
            cand -v 'More detail on stderr; repeat for debug logs (`-vv`)'
            cand --verbose 'More detail on stderr; repeat for debug logs (`-vv`)'
            cand -y 'Answer yes to confirmations (required for changes when stdin is not a terminal)'
            cand --yes 'Answer yes to confirmations (required for changes when stdin is not a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'rotate-cert;sandbox;help'= {
            cand up 'Start the sandbox on loopback, write its files into DIR, and serve until Ctrl-C'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'rotate-cert;sandbox;help;up'= {
        }
        &'rotate-cert;sandbox;help;help'= {
        }
        &'rotate-cert;help'= {
            cand check-cert 'Check a certificate and key before rotating to them (exit 0 pass, 2 fail)'
            cand completions 'Print a shell completion script to stdout'
            cand sandbox 'A simulated GKE + Google Cloud on loopback, for rehearsals and tests'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'rotate-cert;help;check-cert'= {
        }
        &'rotate-cert;help;completions'= {
        }
        &'rotate-cert;help;sandbox'= {
            cand up 'Start the sandbox on loopback, write its files into DIR, and serve until Ctrl-C'
        }
        &'rotate-cert;help;sandbox;up'= {
        }
        &'rotate-cert;help;help'= {
        }
    ]
    $completions[$command]
}
