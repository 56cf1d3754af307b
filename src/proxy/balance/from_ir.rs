//! Building a [`Balancer`] from the config IR of a backend.

use crate::ir::haproxy::expr::{Server, ServerKind};
use crate::ir::haproxy::{Balance, HashType, Located, Proxy, ProxySettings};

use super::{
    Algorithm, BalanceConfig, BalanceError, Balancer, HashConfig, SRV_UWGHT_MAX, ServerSpec,
    assign_puids,
};

/// Why a backend's balancing cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FromIrError {
    #[error("balance {0} is not supported yet")]
    Unsupported(String),
    #[error("invalid balance arguments: {0}")]
    BadBalance(String),
    #[error("invalid hash-type: {0}")]
    BadHashType(String),
    #[error(transparent)]
    Balance(#[from] BalanceError),
}

/// The `balance` and `hash-type` settings; `roundrobin` when there is no `balance` line.
pub fn config_from_settings(settings: &ProxySettings) -> Result<BalanceConfig, FromIrError> {
    let algorithm = match &settings.balance {
        None | Some(Balance::RoundRobin) => Algorithm::RoundRobin,
        Some(Balance::StaticRr) => Algorithm::StaticRr,
        Some(Balance::LeastConn) => Algorithm::LeastConn,
        Some(Balance::First) => Algorithm::First,
        Some(Balance::Source) => Algorithm::Source,
        Some(Balance::Uri { args }) => {
            let mut words = vec!["uri"];
            words.extend(args.iter().map(String::as_str));
            Algorithm::parse(&words).ok_or_else(|| FromIrError::BadBalance(words.join(" ")))?
        }
        Some(Balance::UrlParam { param, args }) => Algorithm::UrlParam {
            name: param.clone(),
            check_post: args.iter().any(|a| a == "check_post"),
        },
        Some(Balance::Hdr {
            name,
            use_domain_only,
        }) => Algorithm::Hdr {
            name: name.clone(),
            use_domain_only: *use_domain_only,
        },
        Some(Balance::Random { draws }) => Algorithm::Random {
            draws: draws.unwrap_or(2),
        },
        Some(Balance::RdpCookie { name }) => Algorithm::RdpCookie {
            name: name.clone().unwrap_or_else(|| "mstshash".into()),
        },
        Some(Balance::Hash { expr }) => Algorithm::Hash { expr: expr.clone() },
    };
    let hash = match &settings.hash_type {
        None => HashConfig::default(),
        Some(ht) => hash_config(ht)?,
    };
    let mut cfg = BalanceConfig::new(algorithm);
    cfg.hash = hash;
    cfg.allbackups = settings.option("allbackups").is_some_and(|o| o.enabled);
    cfg.fullconn = settings
        .fullconn
        .and_then(|n| u32::try_from(n).ok())
        .unwrap_or(0);
    Ok(cfg)
}

fn hash_config(ht: &HashType) -> Result<HashConfig, FromIrError> {
    let mut words = vec![ht.method.as_str()];
    words.extend(ht.function.as_deref());
    words.extend(ht.modifier.as_deref());
    HashConfig::parse(&words).ok_or_else(|| FromIrError::BadHashType(words.join(" ")))
}

/// The servers of a backend in declaration order with HAProxy's ids (`id` or the lowest
/// free one). `default-server` lines are skipped.
pub fn servers_from_ir(servers: &[Located<Server>]) -> Vec<ServerSpec> {
    let real: Vec<&Server> = servers
        .iter()
        .map(|l| &l.value)
        .filter(|s| s.kind != ServerKind::DefaultServer)
        .collect();
    let explicit: Vec<Option<u32>> = real
        .iter()
        .map(|s| s.opts.id.and_then(|i| u32::try_from(i).ok()))
        .collect();
    let ids = assign_puids(&explicit);
    real.iter()
        .zip(ids)
        .map(|(s, puid)| spec_of(s, puid))
        .collect()
}

/// The balancing side of one server line with id `puid` (also `add server`'s).
pub fn spec_of(s: &Server, puid: u32) -> ServerSpec {
    let num =
        |v: Option<i64>, default: u32| v.and_then(|n| u32::try_from(n).ok()).unwrap_or(default);
    ServerSpec {
        puid,
        name: s.name.clone(),
        weight: num(s.opts.weight, 1).min(SRV_UWGHT_MAX),
        backup: s.opts.backup,
        disabled: s.opts.disabled,
        maxconn: num(s.opts.maxconn, 0),
        minconn: num(s.opts.minconn, 0),
        maxqueue: num(s.opts.maxqueue, 0),
    }
}

/// The balancer of a backend (or `listen`) section.
pub fn balancer_for(proxy: &Proxy) -> Result<Balancer, FromIrError> {
    let cfg = config_from_settings(&proxy.settings)?;
    Ok(Balancer::new(cfg, servers_from_ir(&proxy.servers))?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proxy::balance::{HashFunction, HashKind};

    #[test]
    fn settings_to_config() {
        let settings = ProxySettings {
            balance: Some(Balance::Uri {
                args: vec!["whole".into(), "depth".into(), "2".into()],
            }),
            hash_type: Some(HashType {
                method: "consistent".into(),
                function: None,
                modifier: None,
            }),
            ..ProxySettings::default()
        };
        let cfg = config_from_settings(&settings).expect("supported");
        assert_eq!(
            cfg.algorithm,
            Algorithm::Uri {
                whole: true,
                len: 0,
                depth: 2,
                path_only: false
            }
        );
        // `consistent` alone implies sdbm + avalanche
        assert_eq!(
            cfg.hash,
            HashConfig {
                kind: HashKind::Consistent,
                function: HashFunction::Sdbm,
                avalanche: true
            }
        );
        assert_eq!(
            config_from_settings(&ProxySettings::default()).map(|c| c.algorithm),
            Ok(Algorithm::RoundRobin)
        );
    }
}
