//! The results, the machine they were measured on (from `/proc` and `/etc/os-release`),
//! and their rendering: a Markdown report for people, JSON (`--json`) for machines.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;

use super::bound::{Bound, Phase};
use super::footprint::Footprint;
use super::runbook::RunbookRun;
use super::scale::ScaleRun;

/// Where the bench ran.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Machine {
    /// `model name` of the first CPU.
    pub cpu: String,
    /// CPUs online.
    pub cores: usize,
    /// `MemTotal`, GB.
    pub memory_gb: f64,
    /// `PRETTY_NAME` and the kernel release.
    pub os: String,
    /// 1-minute load average when the bench started.
    pub load_at_start: f64,
    /// … and when it ended.
    pub load_at_end: f64,
    /// CPU seconds the machine spent during the bench on anything but the bench and its
    /// children (`/proc/stat` minus `getrusage`): what else was running.
    pub other_cpu_secs: f64,
    /// … as a share of all cores over the bench's duration.
    pub other_cpu_share: f64,
}

/// Busy CPU seconds of the whole machine since boot (`/proc/stat`, all but idle and
/// iowait).
pub fn machine_busy_secs() -> f64 {
    let stat = fs::read_to_string("/proc/stat").unwrap_or_default();
    let Some(cpu) = stat.lines().next() else {
        return 0.0;
    };
    let v: Vec<f64> = cpu
        .split_whitespace()
        .skip(1)
        .filter_map(|x| x.parse().ok())
        .collect();
    // user nice system idle iowait irq softirq steal (guest is inside user)
    let busy: f64 = v
        .iter()
        .enumerate()
        .filter(|(i, _)| !matches!(i, 3 | 4) && *i < 8)
        .map(|(_, x)| x)
        .sum();
    let hz = nix::unistd::sysconf(nix::unistd::SysconfVar::CLK_TCK)
        .ok()
        .flatten()
        .unwrap_or(100) as f64;
    busy / hz
}

/// CPU seconds of the bench itself and every child it waited for.
pub fn own_cpu_secs() -> f64 {
    use nix::sys::resource::{UsageWho, getrusage};
    let secs = |who| {
        getrusage(who).map_or(0.0, |u| {
            let t = |tv: nix::sys::time::TimeVal| tv.tv_sec() as f64 + tv.tv_usec() as f64 / 1e6;
            t(u.user_time()) + t(u.system_time())
        })
    };
    secs(UsageWho::RUSAGE_SELF) + secs(UsageWho::RUSAGE_CHILDREN)
}

/// The 1-minute load average.
pub fn load_average() -> f64 {
    fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(f64::NAN)
}

impl Machine {
    /// Reads `/proc/cpuinfo`, `/proc/meminfo`, `/etc/os-release`, the kernel release;
    /// `busy_at_start` is [`machine_busy_secs`] when the bench started, `secs` how long it
    /// ran.
    pub fn detect(load_at_start: f64, busy_at_start: f64, secs: f64) -> Machine {
        let read = |p: &str| fs::read_to_string(p).unwrap_or_default();
        let cpuinfo = read("/proc/cpuinfo");
        let cpu = cpuinfo
            .lines()
            .find_map(|l| l.strip_prefix("model name")?.split_once(':').map(|x| x.1))
            .unwrap_or("unknown")
            .trim()
            .to_string();
        let cores = std::thread::available_parallelism().map_or(0, usize::from);
        let memory_gb = read("/proc/meminfo")
            .lines()
            .find_map(|l| l.strip_prefix("MemTotal:"))
            .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
            .map_or(0.0, |kb| kb * 1024.0 / 1e9);
        let os_release = read("/etc/os-release");
        let pretty = os_release
            .lines()
            .find_map(|l| l.strip_prefix("PRETTY_NAME="))
            .unwrap_or("Linux")
            .trim_matches('"')
            .to_string();
        let kernel = read("/proc/sys/kernel/osrelease").trim().to_string();
        let other_cpu_secs = (machine_busy_secs() - busy_at_start - own_cpu_secs()).max(0.0);
        Machine {
            other_cpu_share: other_cpu_secs / (secs * cores.max(1) as f64),
            other_cpu_secs,
            cpu,
            cores,
            memory_gb,
            os: format!("{pretty}, Linux {kernel}"),
            load_at_start,
            load_at_end: load_average(),
        }
    }
}

/// Part 1 at one time scale.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Overhead {
    /// The time scale.
    pub scale: f64,
    /// `rotate --yes`, spawn to exit, seconds.
    pub wall: f64,
    /// The lower bound.
    pub bound: Bound,
    /// The bound with this run's actual alignment.
    pub exact_bound: f64,
    /// wall / expected bound.
    pub ratio: f64,
    /// wall / exact bound.
    pub ratio_exact: f64,
    /// Phase by phase.
    pub phases: Vec<Phase>,
}

/// Part 2.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Api {
    /// The time scale of the rotation counted.
    pub scale: f64,
    /// All product-facing requests.
    pub total: u64,
    /// Per API.
    pub per_api: BTreeMap<String, u64>,
    /// Per method, most first.
    pub methods: Vec<(String, u64)>,
}

/// Part 3.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Versus {
    /// The runbook's run.
    pub runbook: RunbookRun,
    /// Its total requests.
    pub runbook_requests: u64,
    /// rotate-cert's wall time at the same scale.
    pub rotate_wall: f64,
    /// rotate-cert's requests.
    pub rotate_requests: u64,
    /// rotate-cert / runbook, wall time.
    pub wall_ratio: f64,
    /// rotate-cert / runbook, requests.
    pub requests_ratio: f64,
}

/// One goal.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Goal {
    /// What is measured.
    pub what: String,
    /// The value, rendered.
    pub value: String,
    /// The goal, rendered.
    pub goal: String,
    /// Whether it is met.
    pub met: bool,
}

/// Everything.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Results {
    /// The machine.
    pub machine: Machine,
    /// The release binary's size, bytes.
    pub binary_bytes: u64,
    /// Part 1.
    pub overhead: Vec<Overhead>,
    /// Part 2.
    pub api: Option<Api>,
    /// Part 3.
    pub versus_runbook: Option<Versus>,
    /// Part 4.
    pub footprint: Vec<Footprint>,
    /// Part 5.
    pub scale: Vec<ScaleRun>,
    /// The goals.
    pub goals: Vec<Goal>,
    /// How long the bench took, seconds.
    pub bench_secs: f64,
}

fn mb(bytes: f64) -> String {
    format!("{:.1} MB", bytes / 1e6)
}

/// The Markdown report.
pub fn markdown(r: &Results) -> String {
    let m = &r.machine;
    let mut s = String::new();
    let _ = writeln!(s, "### rotate-cert benchmark\n");
    let _ = writeln!(
        s,
        "Machine: {} · {} cores · {:.1} GB RAM · {} · load average {:.2} at start, {:.2} at end · \
         other processes used {:.0} CPU-s ({:.0} % of the cores) while the bench ran {:.0} s\n",
        m.cpu,
        m.cores,
        m.memory_gb,
        m.os,
        m.load_at_start,
        m.load_at_end,
        m.other_cpu_secs,
        m.other_cpu_share * 100.0,
        r.bench_secs
    );
    let _ = writeln!(s, "| goal | measured | target | met |\n|---|---|---|---|");
    for g in &r.goals {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} |",
            g.what,
            g.value,
            g.goal,
            if g.met { "yes" } else { "**no**" }
        );
    }
    let _ = writeln!(
        s,
        "| release binary size | {} | | |",
        mb(r.binary_bytes as f64)
    );
    for o in &r.overhead {
        let _ = writeln!(
            s,
            "\n**1. Where the time goes** (time scale {}; wall {:.2} s, bound {:.2} s expected, {:.2} s with this run's alignment)\n",
            o.scale, o.wall, o.bound.expected, o.exact_bound
        );
        let _ = writeln!(
            s,
            "| phase | measured s | bound s | excess s |\n|---|---:|---:|---:|"
        );
        for p in &o.phases {
            let _ = writeln!(
                s,
                "| {} | {:.3} | {:.3} | {:+.3} |",
                p.phase,
                p.measured,
                p.bound,
                p.measured - p.bound
            );
        }
    }
    if !r.overhead.is_empty() {
        let _ = write!(s, "\n**Lower bound terms** (seconds)\n\n| term |");
        for o in &r.overhead {
            let _ = write!(s, " @{} |", o.scale);
        }
        let _ = write!(s, "\n|---|");
        for _ in &r.overhead {
            let _ = write!(s, "---:|");
        }
        for (i, t) in r.overhead[0].bound.terms.iter().enumerate() {
            let _ = write!(s, "\n| {} |", t.what);
            for o in &r.overhead {
                let _ = write!(s, " {:.3} |", o.bound.terms[i].seconds);
            }
        }
        let _ = write!(s, "\n| **total (expected)** |");
        for o in &r.overhead {
            let _ = write!(s, " **{:.3}** |", o.bound.expected);
        }
        let _ = writeln!(s);
    }
    if let Some(a) = &r.api {
        let _ = writeln!(
            s,
            "\n**2. API requests of one rotation** (two-host demo, time scale {}): {} in all — {}\n",
            a.scale,
            a.total,
            a.per_api
                .iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let _ = writeln!(s, "| method | requests |\n|---|---:|");
        for (k, v) in &a.methods {
            let _ = writeln!(s, "| `{k}` | {v} |");
        }
    }
    if let Some(v) = &r.versus_runbook {
        let _ = writeln!(
            s,
            "\n**3. Against the hand-written runbook** (kubectl + gcloud, fresh sandbox, same scale; it polled {} time(s), slept {:.1} s for the drain)\n",
            v.runbook.polls, v.runbook.drain_sleep
        );
        let _ = writeln!(
            s,
            "| | rotate-cert | runbook | ratio |\n|---|---:|---:|---:|\n| wall time s | {:.2} | {:.2} | {:.2} |\n| API requests | {} | {} | {:.2} |",
            v.rotate_wall,
            v.runbook.wall,
            v.wall_ratio,
            v.rotate_requests,
            v.runbook_requests,
            v.requests_ratio
        );
        let _ = writeln!(
            s,
            "\nRunbook requests: {}",
            v.runbook
                .stats
                .methods
                .iter()
                .map(|(k, n)| format!("`{k}` {n}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if !r.footprint.is_empty() {
        let _ = writeln!(
            s,
            "\n**4. Start-up and footprint** (median of {} runs after a warm-up; peak RSS from `getrusage(RUSAGE_CHILDREN)`)\n",
            r.footprint[0].runs
        );
        let _ = writeln!(
            s,
            "| command | wall ms (median) | min–max ms | peak RSS |\n|---|---:|---:|---:|"
        );
        for f in &r.footprint {
            let _ = writeln!(
                s,
                "| `rotate-cert {}` | {:.1} | {:.1}–{:.1} | {} |",
                f.command,
                f.wall_ms,
                f.wall_ms_range.0,
                f.wall_ms_range.1,
                mb(f.peak_rss_mb * 1e6)
            );
        }
    }
    if !r.scale.is_empty() {
        let base = r.scale.iter().find(|x| x.n == 1).map(|x| x.wall);
        let _ = writeln!(
            s,
            "\n**5. Scale** (N Ingresses rotated in parallel, one process each, time scale {})\n",
            r.overhead.first().map_or(0.05, |o| o.scale)
        );
        let _ = writeln!(
            s,
            "| N | wall s | vs N=1 | failures | mean wall / own bound | requests per rotation | sandbox CPU s (during) | sandbox peak RSS |\n|---:|---:|---:|---:|---:|---:|---:|---:|"
        );
        for x in &r.scale {
            let _ = writeln!(
                s,
                "| {} | {:.2} | {} | {} | {:.3} | {:.1} | {:.2} | {} |",
                x.n,
                x.wall,
                base.map_or("–".into(), |b| format!("{:.2}×", x.wall / b)),
                x.failures,
                x.mean_overhead,
                x.requests_per_rotation,
                x.sandbox_cpu_during,
                mb(x.sandbox.peak_rss_kb as f64 * 1024.0)
            );
        }
        if let Some(big) = r.scale.iter().max_by_key(|x| x.n) {
            let _ = writeln!(
                s,
                "\nWhere the time goes at N={} (mean over the rotations)\n\n| phase | measured s | bound s | excess s |\n|---|---:|---:|---:|",
                big.n
            );
            for p in &big.mean_phases {
                let _ = writeln!(
                    s,
                    "| {} | {:.3} | {:.3} | {:+.3} |",
                    p.phase,
                    p.measured,
                    p.bound,
                    p.measured - p.bound
                );
            }
        }
    }
    s
}
