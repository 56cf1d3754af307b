//! `vrrp_script`s that only probe the proxy, recognised so that `tandem run` answers them
//! from its proxy engine's own state instead of forking a command every interval: the
//! forms operators write next to HAProxy (`killall -0 haproxy`, `pidof haproxy`, `pgrep
//! haproxy`, `systemctl is-active haproxy`, `curl`/`wget` to a local frontend or the stats
//! page, `nc -z` to a local bind). Anything else is not recognised and runs as keepalived
//! runs it.

use super::engine::ProxyState;

/// What a recognised script asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Probe {
    /// Is the proxy process running.
    Alive,
    /// Does the proxy answer on this local TCP port.
    Port(u16),
}

impl Probe {
    pub fn answer(&self, p: &dyn ProxyState) -> bool {
        match self {
            Probe::Alive => p.alive(),
            Probe::Port(port) => p.alive() && p.listening(*port),
        }
    }
}

fn base(prog: &str) -> &str {
    prog.rsplit('/').next().unwrap_or(prog)
}

fn is_haproxy(name: &str) -> bool {
    matches!(name, "haproxy" | "haproxy.service")
}

fn is_local(host: &str) -> bool {
    matches!(
        host,
        "127.0.0.1" | "localhost" | "::1" | "[::1]" | "0.0.0.0" | "127.0.1.1"
    )
}

/// `http://127.0.0.1:8404/stats` -> Some(8404); only local hosts.
fn local_url_port(url: &str) -> Option<u16> {
    let (scheme, rest) = url.split_once("://")?;
    let default = match scheme {
        "http" => 80,
        "https" => 443,
        _ => return None,
    };
    let hostport = rest.split('/').next()?;
    let (host, port) = if let Some(h) = hostport.strip_prefix('[') {
        let (h, after) = h.split_once(']')?;
        let port = match after.strip_prefix(':') {
            Some(p) => p.parse().ok()?,
            None => default,
        };
        (h, port)
    } else {
        match hostport.rsplit_once(':') {
            Some((h, p)) => (h, p.parse().ok()?),
            None => (hostport, default),
        }
    };
    is_local(host).then_some(port)
}

/// The probe a script's command line amounts to, if it only probes the proxy.
pub fn classify(args: &[String]) -> Option<Probe> {
    let (prog, rest) = args.split_first()?;
    let rest: Vec<&str> = rest.iter().map(String::as_str).collect();
    let opts_then = |names: &[&str]| {
        // Flags first, then exactly the process name.
        let (flags, tail): (Vec<&str>, Vec<&str>) = rest.iter().partition(|a| a.starts_with('-'));
        flags.iter().all(|f| names.contains(f)) && tail.len() == 1 && is_haproxy(tail[0])
    };
    match base(prog) {
        "killall" => (rest == ["-0", "haproxy"]).then_some(Probe::Alive),
        "pidof" => opts_then(&["-s", "-x"]).then_some(Probe::Alive),
        "pgrep" => opts_then(&["-x", "-f"]).then_some(Probe::Alive),
        "systemctl" => {
            let words: Vec<&str> = rest
                .iter()
                .copied()
                .filter(|a| !matches!(*a, "--quiet" | "-q"))
                .collect();
            (words.len() == 2 && words[0] == "is-active" && is_haproxy(words[1]))
                .then_some(Probe::Alive)
        }
        "curl" | "wget" => {
            let urls: Vec<u16> = rest.iter().filter_map(|a| local_url_port(a)).collect();
            match urls.as_slice() {
                [port] => Some(Probe::Port(*port)),
                _ => None,
            }
        }
        "nc" | "ncat" | "netcat" => {
            let flags: Vec<&str> = rest
                .iter()
                .copied()
                .filter(|a| a.starts_with('-'))
                .collect();
            let words: Vec<&str> = rest
                .iter()
                .copied()
                .filter(|a| !a.starts_with('-'))
                .collect();
            let zero_io = flags.iter().any(|f| f.contains('z'));
            match (zero_io, words.as_slice()) {
                (true, [host, port]) if is_local(host) => port.parse().ok().map(Probe::Port),
                _ => None,
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(line: &str) -> Option<Probe> {
        let args: Vec<String> = line.split_whitespace().map(String::from).collect();
        classify(&args)
    }

    #[test]
    fn recognised_forms() {
        assert_eq!(c("killall -0 haproxy"), Some(Probe::Alive));
        assert_eq!(c("/usr/bin/killall -0 haproxy"), Some(Probe::Alive));
        assert_eq!(c("pidof haproxy"), Some(Probe::Alive));
        assert_eq!(c("pgrep -x haproxy"), Some(Probe::Alive));
        assert_eq!(c("systemctl is-active --quiet haproxy"), Some(Probe::Alive));
        assert_eq!(c("systemctl is-active haproxy.service"), Some(Probe::Alive));
        assert_eq!(
            c("curl -sf -o /dev/null http://127.0.0.1:8404/stats"),
            Some(Probe::Port(8404))
        );
        assert_eq!(c("wget -q -O- http://localhost/"), Some(Probe::Port(80)));
        assert_eq!(c("curl -k https://[::1]/"), Some(Probe::Port(443)));
        assert_eq!(c("nc -z 127.0.0.1 80"), Some(Probe::Port(80)));
        assert_eq!(c("nc -zv localhost 443"), Some(Probe::Port(443)));
    }

    #[test]
    fn everything_else_runs() {
        for l in [
            "killall -0 nginx",
            "killall haproxy",
            "pidof haproxy nginx",
            "/etc/keepalived/check.sh",
            "curl http://192.0.2.10/",
            "curl http://127.0.0.1/ http://127.0.0.1:81/",
            "nc 127.0.0.1 80",
            "nc -z 192.0.2.1 80",
            "systemctl restart haproxy",
            "sh -c killall -0 haproxy",
        ] {
            assert_eq!(c(l), None, "{l}");
        }
    }
}
