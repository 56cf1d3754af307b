//! `global_defs` (acted on by the parent's pass only; the children inherit
//! what it read).

use super::parser::{Ctx, Kw, Res, read_int, read_unsigned};

fn router_id(ctx: &mut Ctx, w: &[String]) -> Res {
    match w.get(1) {
        Some(v) => ctx.cfg.global.router_id = Some(v.clone()),
        None => ctx.err("routerid name missing - ignoring"),
    }
    Ok(())
}

fn notification_email(ctx: &mut Ctx, w: &[String]) -> Res {
    let lines = ctx.value_block(w);
    if lines.is_empty() {
        // keepalived 2.2.7 says so at the line that closed the block.
        ctx.err("Warning - empty notification_email block");
    }
    for (_, line) in lines {
        ctx.cfg.global.notification_email.extend(line);
    }
    Ok(())
}

fn email_from(ctx: &mut Ctx, w: &[String]) -> Res {
    match w.get(1) {
        Some(v) => ctx.cfg.global.notification_email_from = Some(v.clone()),
        None => ctx.err("emailfrom missing - ignoring"),
    }
    Ok(())
}

fn smtp_server(ctx: &mut Ctx, w: &[String]) -> Res {
    let v = ctx.slot(w, 1)?.to_string();
    let port_s = w.get(2).cloned().unwrap_or_else(|| "25".into());
    let mut ok = v.parse::<std::net::IpAddr>().is_ok();
    let mut port = None;
    if let Some(p) = w.get(2) {
        // keepalived 2.2.7 reads the port twice, so a bad one is reported
        // twice: `number '99999' outside range [1, 65535]`.
        let first = read_unsigned(ctx, p, 1, 65535);
        if first.is_none() {
            read_unsigned(ctx, p, 1, 65535);
            ok = false;
        }
        port = first.map(|n| n as u16);
    }
    if !ok {
        ctx.err(format!("Invalid smtp server {v} {port_s}"));
        return Ok(());
    }
    ctx.cfg.global.smtp_server = Some(v);
    ctx.cfg.global.smtp_port = port;
    Ok(())
}

fn smtp_helo(ctx: &mut Ctx, w: &[String]) -> Res {
    // keepalived 2.2.7 silently ignores a bare `smtp_helo_name`.
    if let Some(v) = w.get(1) {
        ctx.cfg.global.smtp_helo_name = Some(v.clone());
    }
    Ok(())
}

fn smtp_timeout(ctx: &mut Ctx, w: &[String]) -> Res {
    let v = ctx.slot(w, 1)?.to_string();
    match read_unsigned(ctx, &v, 1, u32::MAX as u64 / 1_000_000) {
        Some(n) => ctx.cfg.global.smtp_connect_timeout = Some(n as u32),
        None => ctx.err(format!(
            "smtp_connect_timeout '{v}' must be in [1, 4294] - ignoring"
        )),
    }
    Ok(())
}

fn script_user(ctx: &mut Ctx, w: &[String]) -> Res {
    let Some(u) = w.get(1).cloned() else {
        ctx.err("No script username specified");
        return Ok(());
    };
    let g = w.get(2).cloned();
    if super::sys::user(&u).is_none()
        || g.as_deref().is_some_and(|g| super::sys::group(g).is_none())
    {
        ctx.err("Error setting global script uid/gid");
    }
    ctx.cfg.global.script_user = Some(u);
    ctx.cfg.global.script_group = g;
    Ok(())
}

fn script_security(ctx: &mut Ctx, _w: &[String]) -> Res {
    ctx.cfg.global.enable_script_security = true;
    Ok(())
}

fn skip_check_adv_addr(ctx: &mut Ctx, _w: &[String]) -> Res {
    ctx.cfg.global.vrrp_skip_check_adv_addr = true;
    Ok(())
}

fn vrrp_strict(ctx: &mut Ctx, _w: &[String]) -> Res {
    ctx.cfg.global.vrrp_strict = true;
    Ok(())
}

fn dynamic_interfaces(ctx: &mut Ctx, w: &[String]) -> Res {
    match w.get(1).map(String::as_str) {
        None | Some("allow_if_changes") => ctx.cfg.global.dynamic_interfaces = true,
        Some(o) => ctx.err(format!("Unknown dynamic_interfaces option '{o}'")),
    }
    Ok(())
}

fn vrrp_version(ctx: &mut Ctx, w: &[String]) -> Res {
    let v = ctx.slot(w, 1)?.to_string();
    match read_unsigned(ctx, &v, 2, 3) {
        Some(n) => ctx.cfg.global.vrrp_version = Some(n as u8),
        None => ctx.err("VRRP Error: Version must be either 2 or 3"),
    }
    Ok(())
}

/// keepalived 2.2.7 as Debian builds it has no iptables support and says so
/// (the unbalanced quote is keepalived's).
fn vrrp_iptables(ctx: &mut Ctx, w: &[String]) -> Res {
    ctx.err(
        "iptables not supported, using nftables instead. Please replace 'vrrp_iptables and 'vrrp_ipsets' with 'nftables' config option",
    );
    ctx.cfg.global.vrrp_iptables = Some(w[1..].to_vec());
    Ok(())
}

fn mcast4(ctx: &mut Ctx, w: &[String]) -> Res {
    let v = ctx.slot(w, 1)?.to_string();
    match v.parse::<std::net::Ipv4Addr>() {
        Ok(a) if a.is_multicast() => ctx.cfg.global.vrrp_mcast_group4 = Some(v),
        _ => ctx.err(format!(
            "vrrp_mcast_group4 [{v}] is not multicast. Skipping"
        )),
    }
    Ok(())
}

fn mcast6(ctx: &mut Ctx, w: &[String]) -> Res {
    let v = ctx.slot(w, 1)?.to_string();
    match v.parse::<std::net::Ipv6Addr>() {
        Ok(a) if a.is_multicast() => ctx.cfg.global.vrrp_mcast_group6 = Some(v),
        _ => ctx.err(format!(
            "vrrp_mcast_group6 [{v}] is not multicast. Skipping"
        )),
    }
    Ok(())
}

/// `vrrp_garp_*` and friends: an unsigned number; keepalived 2.2.7 says
/// e.g. `(Line 2) invalid number 'abc'` then
/// `(Line 2) vrrp_garp_master_delay 'abc' invalid - ignoring`.
fn garp_num(ctx: &mut Ctx, w: &[String]) -> Res {
    let kw = w[0].clone();
    let v = ctx.slot(w, 1)?.to_string();
    let max = if kw == "vrrp_garp_interval" || kw == "vrrp_gna_interval" {
        // Seconds with decimals; keepalived stores microseconds.
        match super::parser::read_double(ctx, &v, 0.000001, u32::MAX as f64 / 1_000_000.0) {
            Some(d) => {
                let ms = Some((d * 1000.0).round() as u32);
                if kw == "vrrp_garp_interval" {
                    ctx.cfg.global.vrrp_garp_interval_ms = ms;
                } else {
                    ctx.cfg.global.vrrp_gna_interval_ms = ms;
                }
            }
            None => ctx.err(format!("{kw} '{v}' is invalid")),
        }
        return Ok(());
    } else if kw == "vrrp_garp_master_delay" || kw == "vrrp_garp_master_refresh" {
        u32::MAX as u64 / 1_000_000
    } else {
        u32::MAX as u64
    };
    match read_unsigned(ctx, &v, 0, max) {
        Some(n) => {
            let n = Some(n as u32);
            let g = &mut ctx.cfg.global;
            match kw.as_str() {
                "vrrp_garp_master_delay" => g.vrrp_garp_master_delay = n,
                "vrrp_garp_master_repeat" => g.vrrp_garp_master_repeat = n,
                "vrrp_garp_master_refresh" => g.vrrp_garp_master_refresh = n,
                "vrrp_garp_master_refresh_repeat" => g.vrrp_garp_master_refresh_repeat = n,
                _ => g.other.push((kw.clone(), w[1..].to_vec())),
            }
        }
        // keepalived 2.2.7 words this one message differently.
        None if kw == "vrrp_garp_master_refresh" => {
            ctx.err(format!("Invalid {kw} '{v}' - ignoring"))
        }
        None => ctx.err(format!("{kw} '{v}' invalid - ignoring")),
    }
    Ok(())
}

fn prio(ctx: &mut Ctx, w: &[String]) -> Res {
    let kw = w[0].clone();
    let Some(v) = w.get(1).cloned() else {
        match kw.as_str() {
            "vrrp_priority" => ctx.err("No vrrp process priority specified"),
            "checker_priority" => ctx.err("No checker process priority specified"),
            // A bare max_auto_priority means keepalived's default.
            _ => ctx.cfg.global.max_auto_priority = Some(-1),
        }
        return Ok(());
    };
    let (min, max) = if kw == "max_auto_priority" {
        (-1, 99)
    } else {
        (-20, 19)
    };
    match super::parser::read_int(ctx, &v, min, max) {
        Some(n) => {
            let n = Some(n as i32);
            match kw.as_str() {
                "vrrp_priority" => ctx.cfg.global.vrrp_priority = n,
                "checker_priority" => ctx.cfg.global.checker_priority = n,
                _ => ctx.cfg.global.max_auto_priority = n,
            }
        }
        None if kw == "vrrp_priority" => ctx.err("Invalid vrrp process priority specified"),
        None if kw == "checker_priority" => ctx.err("Invalid checker process priority specified"),
        None if kw == "max_auto_priority" => ctx.err(format!(
            "max_auto_priority '{v}' must be in [0, 99] (or -1 to disable) - ignoring"
        )),
        None => ctx.err(format!("Invalid {kw} '{v}' - ignoring")),
    }
    Ok(())
}

/// What keepalived 2.2.7 says for a global_defs keyword written without its
/// value (measured one by one with `keepalived -t`); the keyword is ignored.
fn missing_value_message(kw: &str) -> Option<String> {
    let text = match kw {
        "tmp_config_directory" => "tmp_config_directory missing directory name".to_string(),
        "startup_script" => "startup script missing".to_string(),
        "shutdown_script" => "shutdown script missing".to_string(),
        "startup_script_timeout" | "shutdown_script_timeout" => format!("{kw} requires value"),
        "default_interface" => "default_interface requires interface name".to_string(),
        "lvs_timeouts" => "lvs_timeouts requires at least one option".to_string(),
        "vrrp_garp_extra_if" => "vrrp_garp_extra_if specified without time - ignoring".to_string(),
        "min_auto_priority_delay" => "min_auto_priority_delay requires delay time".to_string(),
        "bfd_priority" => "No bfd process priority specified".to_string(),
        "vrrp_cpu_affinity" | "checker_cpu_affinity" | "bfd_cpu_affinity" => format!(
            "No {} cpu_id set specified",
            kw.trim_end_matches("_cpu_affinity")
        ),
        "snmp_socket" => "SNMP error : snmp socket name missing".to_string(),
        "dbus_service_name" => "dbus_service_name missing - ignoring".to_string(),
        "notify_fifo" | "vrrp_notify_fifo" | "lvs_notify_fifo" => {
            format!("No {kw} name specified")
        }
        "notify_fifo_script" | "vrrp_notify_fifo_script" | "lvs_notify_fifo_script" => {
            format!("No {kw} specified")
        }
        "vrrp_netlink_cmd_rcv_bufs"
        | "vrrp_netlink_monitor_rcv_bufs"
        | "lvs_netlink_cmd_rcv_bufs"
        | "lvs_netlink_monitor_rcv_bufs"
        | "process_monitor_rcv_bufs" => format!("{kw} size missing"),
        "vrrp_rx_bufs_policy" => "vrrp_rx_bufs_policy missing".to_string(),
        "vrrp_rx_bufs_multiplier" => "Invalid vrrp_rx_bufs_multiplier".to_string(),
        "reload_time_file" => "reload_time_file invalid".to_string(),
        _ => return None,
    };
    Some(text)
}

/// `other` for keywords whose keepalived 2.2.7 handler reads the first value
/// unchecked (`strvec_slot`): without one, keepalived stops (exit 2).
fn other1(ctx: &mut Ctx, w: &[String]) -> Res {
    ctx.slot(w, 1)?;
    other(ctx, w)
}

/// Keywords tandem accepts and records without a type of their own. Their
/// values are still checked the way keepalived 2.2.7 checks them (its
/// messages, measured one by one), so that `-t` reports the same problems.
fn other(ctx: &mut Ctx, w: &[String]) -> Res {
    let kw = w[0].as_str();
    let arg = w.get(1).map(String::as_str);
    let is_bool = |a: &str| matches!(a, "true" | "on" | "yes" | "false" | "off" | "no");
    if arg.is_none()
        && let Some(text) = missing_value_message(kw)
    {
        ctx.err(text);
        return Ok(());
    }
    let ok = match (kw, arg) {
        (
            "smtp_alert"
            | "smtp_alert_vrrp"
            | "smtp_alert_checker"
            | "no_checker_emails"
            | "rs_init_notifies"
            | "vrrp_notify_priority_changes",
            Some(a),
        ) if !is_bool(a) => {
            ctx.err(format!("Invalid value '{a}' for global {kw} specified"));
            false
        }
        (k, Some(a)) if k.ends_with("_rcv_bufs_force") && !is_bool(a) => {
            ctx.err(format!("Invalid value '{a}' for global {kw} specified"));
            false
        }
        (
            "vrrp_min_garp"
            | "vrrp_lower_prio_no_advert"
            | "vrrp_higher_prio_send_advert"
            | "checker_log_all_failures",
            Some(a),
        ) if !is_bool(a) => {
            ctx.err(format!("Invalid value for {kw} specified"));
            false
        }
        ("lvs_flush_on_stop", Some(a)) if !matches!(a, "VS" | "ALL") => {
            ctx.err(format!("Unknown lvs_flush_on_stop type {a}"));
            false
        }
        ("include_check", Some(a)) if !matches!(a, "warn" | "strict") => {
            ctx.err(format!("Unknown include_check type '{a}' - ignoring"));
            false
        }
        // keepalived reads random_seed's value without checking it is there.
        ("random_seed", None) => {
            ctx.slot(w, 1)?;
            false
        }
        ("lvs_sync_daemon", None) => {
            ctx.err("lvs_sync_daemon requires interface");
            false
        }
        ("umask", Some(a)) => {
            let numeric = a.parse::<u32>().is_ok()
                || a.split('|').all(|b| {
                    matches!(
                        b,
                        "IRUSR"
                            | "IWUSR"
                            | "IXUSR"
                            | "IRGRP"
                            | "IWGRP"
                            | "IXGRP"
                            | "IROTH"
                            | "IWOTH"
                            | "IXOTH"
                    )
                });
            if !numeric {
                ctx.err(format!("Unknown umask bit {a}"));
            }
            numeric
        }
        ("vrrp_rx_bufs_policy", Some("MTU" | "ADVERT")) => true,
        ("vrrp_rt_priority" | "checker_rt_priority" | "bfd_rt_priority", None) => {
            let proc_name = kw.trim_end_matches("_rt_priority");
            ctx.err(format!(
                "No {proc_name} process real-time priority specified"
            ));
            false
        }
        ("vrrp_rt_priority" | "checker_rt_priority" | "bfd_rt_priority", Some(a)) => {
            let proc_name = kw.trim_end_matches("_rt_priority");
            match read_int(ctx, a, i32::MIN as i64, i32::MAX as i64) {
                Some(n) if n < 1 => {
                    ctx.err(format!(
                        "{proc_name} process real-time priority {n} less than minimum 1 - setting to minimum"
                    ));
                    true
                }
                Some(n) if n > 99 => {
                    ctx.err(format!(
                        "{proc_name} process real-time priority {n} greater than maximum 99 - setting to maximum"
                    ));
                    true
                }
                Some(_) => true,
                None => {
                    ctx.err(format!(
                        "{proc_name} process real-time priority '{a}' invalid"
                    ));
                    false
                }
            }
        }
        (_, Some(a)) => match number_rule(kw) {
            Some((lo, hi, msg)) => {
                // Most are read as unsigned (`negative number '-5'`); the
                // nftables priority is signed.
                let ok = if lo < 0 {
                    read_int(ctx, a, lo, hi).is_some()
                } else {
                    read_unsigned(ctx, a, lo as u64, hi as u64).is_some()
                };
                if !ok {
                    ctx.err(msg.replace("{v}", a));
                    false
                } else {
                    true
                }
            }
            None => true,
        },
        _ => true,
    };
    if ok {
        ctx.cfg.global.other.push((w[0].clone(), w[1..].to_vec()));
    }
    Ok(())
}

/// Numeric global keywords: keepalived's range and its second message
/// (`{v}` is the value as written), after `invalid number '...'`.
fn number_rule(kw: &str) -> Option<(i64, i64, &'static str)> {
    Some(match kw {
        "vrrp_garp_lower_prio_repeat" => (
            0,
            i32::MAX as i64,
            "Invalid vrrp_garp_lower_prio_repeat '{v}'",
        ),
        "vrrp_garp_lower_prio_delay" => (
            0,
            4294,
            "vrrp_garp_lower_prio_delay '{v}' invalid - ignoring",
        ),
        "vrrp_down_timer_adverts" => (1, 100, "Invalid vrrp_down_timer_adverts [1:100] '{v}'"),
        "vrrp_rt_priority" => (1, 99, "vrrp process real-time priority '{v}' invalid"),
        "checker_rt_priority" => (1, 99, "checker process real-time priority '{v}' invalid"),
        "bfd_rt_priority" => (1, 99, "bfd process real-time priority '{v}' invalid"),
        "vrrp_netlink_cmd_rcv_bufs" => (
            0,
            u32::MAX as i64,
            "vrrp_netlink_cmd_rcv_bufs size ({v}) invalid",
        ),
        "vrrp_netlink_monitor_rcv_bufs" => (
            0,
            u32::MAX as i64,
            "vrrp_netlink_monitor_rcv_bufs size ({v}) invalid",
        ),
        "lvs_netlink_cmd_rcv_bufs" => (
            0,
            u32::MAX as i64,
            "lvs_netlink_cmd_rcv_bufs size ({v}) invalid",
        ),
        "lvs_netlink_monitor_rcv_bufs" => (
            0,
            u32::MAX as i64,
            "lvs_netlink_monitor_rcv_bufs size ({v}) invalid",
        ),
        "process_monitor_rcv_bufs" => (
            0,
            u32::MAX as i64,
            "process_monitor_rcv_bufs size ({v}) invalid",
        ),
        "random_seed" => (0, u32::MAX as i64, "random_seed {v} invalid"),
        // keepalived 2.2.7 also takes the `_rlimit_rtime` spelling.
        "vrrp_rlimit_rttime" | "vrrp_rlimit_rtime" => {
            (1, u32::MAX as i64, "Invalid vrrp real-time limit - {v}")
        }
        "checker_rlimit_rttime" | "checker_rlimit_rtime" => {
            (1, u32::MAX as i64, "Invalid checker real-time limit - {v}")
        }
        "bfd_rlimit_rttime" | "bfd_rlimit_rtime" => {
            (1, u32::MAX as i64, "Invalid bfd real-time limit - {v}")
        }
        "nftables_priority" => (
            i32::MIN as i64,
            i32::MAX as i64,
            "invalid nftables chain priority '{v}'",
        ),
        "startup_script_timeout" => (
            1,
            1000,
            "startup_script_timeout '{v}' must be in [1, 1000] - ignoring",
        ),
        "shutdown_script_timeout" => (
            1,
            1000,
            "shutdown_script_timeout '{v}' must be in [1, 1000] - ignoring",
        ),
        "vrrp_startup_delay" => (0, 4294, "vrrp_startup_delay '{v}' is invalid"),
        "vrrp_rx_bufs_policy" => (0, u32::MAX as i64, "Invalid vrrp_rx_bufs_policy {v}"),
        _ => return None,
    })
}

/// The `global_defs` keyword table: typed keywords, then those recorded
/// as they are.
pub static GLOBAL: &[Kw] = &[
    Kw::h("router_id", router_id),
    Kw::h("notification_email", notification_email),
    Kw::h("notification_email_from", email_from),
    Kw::h("smtp_server", smtp_server),
    Kw::h("smtp_helo_name", smtp_helo),
    Kw::h("smtp_connect_timeout", smtp_timeout),
    Kw::h("script_user", script_user),
    Kw::h("enable_script_security", script_security),
    Kw::h("vrrp_skip_check_adv_addr", skip_check_adv_addr),
    Kw::h("vrrp_strict", vrrp_strict),
    Kw::h("vrrp_version", vrrp_version),
    Kw::h("vrrp_iptables", vrrp_iptables),
    Kw::h("vrrp_mcast_group4", mcast4),
    Kw::h("vrrp_mcast_group6", mcast6),
    Kw::h("vrrp_garp_master_delay", garp_num),
    Kw::h("vrrp_garp_master_repeat", garp_num),
    Kw::h("vrrp_garp_master_refresh", garp_num),
    Kw::h("vrrp_garp_master_refresh_repeat", garp_num),
    Kw::h("vrrp_garp_interval", garp_num),
    Kw::h("vrrp_gna_interval", garp_num),
    Kw::h("vrrp_priority", prio),
    Kw::h("checker_priority", prio),
    Kw::h("max_auto_priority", prio),
    Kw::h("dynamic_interfaces", dynamic_interfaces),
    Kw::h("tmp_config_directory", other),
    Kw::h("config_save_dir", other1),
    Kw::h("process_names", other),
    Kw::h("process_name", other1),
    Kw::h("vrrp_process_name", other1),
    Kw::h("checker_process_name", other1),
    Kw::h("bfd_process_name", other1),
    Kw::h("startup_script", other),
    Kw::h("startup_script_timeout", other),
    Kw::h("shutdown_script", other),
    Kw::h("shutdown_script_timeout", other),
    Kw::h("smtp_alert", other),
    Kw::h("smtp_alert_vrrp", other),
    Kw::h("smtp_alert_checker", other),
    Kw::h("checker_log_all_failures", other),
    Kw::h("no_email_faults", other),
    Kw::h("default_interface", other),
    Kw::h("lvs_sync_daemon", other),
    Kw::h("lvs_timeouts", other),
    Kw::h("lvs_flush", other),
    Kw::h("lvs_flush_on_stop", other),
    Kw::h("vrrp_garp_lower_prio_delay", other1),
    Kw::h("vrrp_down_timer_adverts", other1),
    Kw::h("vrrp_garp_lower_prio_repeat", other1),
    Kw::h("vrrp_min_garp", other),
    Kw::h("vrrp_garp_extra_if", other),
    Kw::h("vrrp_lower_prio_no_advert", other),
    Kw::h("vrrp_higher_prio_send_advert", other),
    Kw::h("nftables", other),
    Kw::h("nftables_priority", other1),
    Kw::h("nftables_counters", other),
    Kw::h("nftables_ifindex", other),
    Kw::h("nftables_ipvs", other),
    Kw::h("nftables_ipvs_priority", other1),
    Kw::h("nftables_ipvs_start_fwmark", other1),
    Kw::h("disable_local_igmp", other),
    Kw::h("vrrp_check_unicast_src", other),
    Kw::h("vrrp_notify_priority_changes", other),
    Kw::h("min_auto_priority_delay", other),
    Kw::h("bfd_priority", other),
    Kw::h("vrrp_no_swap", other),
    Kw::h("checker_no_swap", other),
    Kw::h("bfd_no_swap", other),
    Kw::h("vrrp_cpu_affinity", other),
    Kw::h("checker_cpu_affinity", other),
    Kw::h("bfd_cpu_affinity", other),
    Kw::h("vrrp_rt_priority", other),
    Kw::h("checker_rt_priority", other),
    Kw::h("bfd_rt_priority", other),
    Kw::h("vrrp_rlimit_rttime", other1),
    Kw::h("checker_rlimit_rttime", other1),
    Kw::h("bfd_rlimit_rttime", other1),
    Kw::h("vrrp_rlimit_rtime", other1),
    Kw::h("checker_rlimit_rtime", other1),
    Kw::h("bfd_rlimit_rtime", other1),
    Kw::h("snmp_socket", other),
    Kw::h("enable_snmp_vrrp", other),
    Kw::h("enable_snmp_checker", other),
    Kw::h("enable_snmp_rfc", other),
    Kw::h("enable_snmp_rfcv2", other),
    Kw::h("enable_snmp_rfcv3", other),
    Kw::h("enable_traps", other),
    Kw::h("enable_dbus", other),
    Kw::h("dbus_service_name", other),
    Kw::h("notify_fifo", other),
    Kw::h("notify_fifo_script", other),
    Kw::h("vrrp_notify_fifo", other),
    Kw::h("vrrp_notify_fifo_script", other),
    Kw::h("lvs_notify_fifo", other),
    Kw::h("lvs_notify_fifo_script", other),
    Kw::h("fifo_write_vrrp_states_on_reload", other),
    Kw::h("vrrp_netlink_cmd_rcv_bufs", other),
    Kw::h("vrrp_netlink_cmd_rcv_bufs_force", other),
    Kw::h("vrrp_netlink_monitor_rcv_bufs", other),
    Kw::h("vrrp_netlink_monitor_rcv_bufs_force", other),
    Kw::h("lvs_netlink_cmd_rcv_bufs", other),
    Kw::h("lvs_netlink_cmd_rcv_bufs_force", other),
    Kw::h("lvs_netlink_monitor_rcv_bufs", other),
    Kw::h("lvs_netlink_monitor_rcv_bufs_force", other),
    Kw::h("process_monitor_rcv_bufs", other),
    Kw::h("process_monitor_rcv_bufs_force", other),
    Kw::h("vrrp_rx_bufs_policy", other),
    Kw::h("vrrp_rx_bufs_multiplier", other),
    Kw::h("rs_init_notifies", other),
    Kw::h("no_checker_emails", other),
    Kw::h("umask", other1),
    Kw::h("vrrp_startup_delay", other1),
    Kw::h("log_unknown_vrids", other),
    Kw::h("vmac_prefix", other1),
    Kw::h("vmac_addr_prefix", other1),
    Kw::h("random_seed", other),
    Kw::h("reload_check_config", other),
    Kw::h("include_check", other),
    Kw::h("reload_time_file", other),
    Kw::h("reload_repeat", other),
    Kw::h("reload_file", other),
    Kw::h("data_use_instance", other),
    // linkbeat_use_polling, net_namespace, net_namespace_ipvs,
    // namespace_with_ipsets, instance and use_pid_dir are top-level only:
    // keepalived 2.2.7 says `Unknown keyword` for them inside global_defs.
];

/// Every keyword name of `global_defs`, for the grammar table test.
pub fn names() -> impl Iterator<Item = &'static str> {
    GLOBAL.iter().map(|k| k.name)
}
