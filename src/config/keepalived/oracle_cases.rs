//! keepalived 2.2.7's verdicts on small configs, recorded with
//! `keepalived -t -f NAME` (Debian 12, on a machine with `lo` and `eth0`,
//! running as root). Generated from the oracle's output; each case is
//! (file name, config text, exact stderr, exit code).

pub const CASES: &[(&str, &str, &str, i32)] = &[
    (
        "a1.conf",
        r#"foo bar
global_defs {
  router_id x
  bogus_kw 1
}
vrrp_instance V {
  state MASTER
  interface eth0
  virtual_router_id 51
  priority 100
  blah 3
  virtual_ipaddress {
    10.0.0.1/24
  }
}
"#,
        r#"(Line 1) Unknown keyword 'foo'
(Line 4) Unknown keyword 'bogus_kw'
(a1.conf: Line 1) Unknown keyword 'foo'
(a1.conf: Line 1) Unknown keyword 'foo'
(a1.conf: Line 11) Unknown keyword 'blah'
(a1.conf: Line 1) Unknown keyword 'foo'
"#,
        5,
    ),
    (
        "a2.conf",
        r#"vrrp_instance V {
  state MASTER
  interface eth0
  virtual_router_id 300
  priority 0
  advert_int 0
  virtual_ipaddress {
    10.0.0.1/24
  }
}
"#,
        r#"(a2.conf: Line 4) number '300' outside range [1, 255]
(a2.conf: Line 4) (V): VRID '300' not valid - must be between 1 & 255
(a2.conf: Line 5) number '0' outside range [1, 255]
(a2.conf: Line 5) (V) Priority not valid! must be between 1 & 255. Using default 100
(a2.conf: Line 6) number '0' outside range [0.010000, 255.000000]
(a2.conf: Line 6) (V) Advert interval (0) not valid! Must be > 0 - ignoring
(V) the virtual router id must be set
"#,
        5,
    ),
    (
        "a3.conf",
        r#"vrrp_instance V {
  state MASTER
  interface eth0
  virtual_router_id
  priority 100
  virtual_ipaddress {
    10.0.0.1/24
  }
}
"#,
        r#"(a3.conf: Line 4) *** Configuration line starting `virtual_router_id` is missing a parameter after keyword `virtual_router_id` at word position 2
"#,
        2,
    ),
    (
        "b1.conf",
        r#"global_defs {
  vrrp_garp_master_delay abc
  router_id
}
virtual_server 10.0.0.1 80 {
  bogus_vs 1
  delay_loop abc
  real_server 10.0.0.2 80 {
    TCP_CHECK {
      connect_timeout 3
      nope 1
    }
  }
}
bfd_instance b1 {
  zzz 1
}
vrrp_instance V {
  state MASTER
  interface eth0
  virtual_router_id 5
  priority 100
  virtual_ipaddress {
    10.0.0.1/24
  }
}
"#,
        r#"(Line 2) invalid number 'abc'
(Line 2) vrrp_garp_master_delay 'abc' invalid - ignoring
(Line 3) routerid name missing - ignoring
(b1.conf: Line 6) Unknown keyword 'bogus_vs'
(b1.conf: Line 7) invalid number 'abc'
(b1.conf: Line 7) virtual server delay loop 'abc' invalid - ignoring
(b1.conf: Line 11) Unknown keyword 'nope'
(b1.conf: Line 16) Unknown keyword 'zzz'
Virtual server [10.0.0.1]:none:80: no protocol set - defaulting to UDP
Virtual server [10.0.0.1]:udp:80: no scheduler set, setting default 'wlc'
Virtual server [10.0.0.1]:udp:80: no forwarding method set, setting default NAT
(b1.conf: Line 16) Unknown keyword 'zzz'
(b1.conf: Line 16) Unknown keyword 'zzz'
(b1.conf: Line 17) Configuration error: BFD instance b1 has no neighbor address set, disabling instance
"#,
        5,
    ),
    (
        "d2.conf",
        r#"vrrp_instance V {
 interface lo
 virtual_router_id 5
 priority 255
 state BACKUP
 virtual_ipaddress {
 10.0.0.1/33
 10.0.0.2/24 dev nosuch
 10.0.0.3 label eth0:1 brd 10.0.0.255 scope link
 300.1.1.1
 10.0.0.4/24 foo
 }
 authentication {
 auth_type XYZ
 auth_pass 123456789
 }
 unicast_peer {
 1.2.3.999
 }
 unicast_src_ip bad
}
"#,
        r#"(d2.conf: Line 2) (V) cannot use a loopback interface (lo) for vrrp - ignoring
(d2.conf: Line 7) number '33' outside range [0, 32]
(d2.conf: Line 7) Invalid address prefix len 33 for address 10.0.0.1/33 - using 32
(d2.conf: Line 8) WARNING - interface nosuch for ip address 10.0.0.2/24 doesn't exist
(d2.conf: Line 10) VRRP parsed invalid IP 300.1.1.1. skipping IP...
(d2.conf: Line 11) Unknown configuration entry 'foo' for ip address - ignoring
(d2.conf: Line 14) (V) unknown authentication type 'XYZ'
(d2.conf: Line 15) Truncating auth_pass to 8 characters
(d2.conf: Line 18) Configuration error: VRRP instance[V] malformed unicast peer address[1.2.3.999]. Skipping...
(d2.conf: Line 20) Configuration error: VRRP instance[V] malformed src address[bad]. Skipping...
Non-existent interface specified in configuration
"#,
        5,
    ),
    (
        "d3.conf",
        r#"vrrp_instance V {
 interface eth0
 virtual_router_id 5
 priority 100
 state FOO
 advert_int 1.5
 nopreempt
 preempt_delay 10
 garp_master_delay 5
 virtual_ipaddress {
 10.0.0.1/24
 }
 virtual_ipaddress_excluded {
 fe80::1/64
 }
}
vrrp_instance V {
 interface eth0
 virtual_router_id 5
 priority 100
 virtual_ipaddress {
 10.0.0.9/24
 }
}
"#,
        r#"(d3.conf: Line 5) (V) unknown state 'FOO', defaulting to BACKUP
(d3.conf: Line 17) vrrp instance V already defined
(V) preempt_delay is incompatible with nopreempt mode - resetting
(V) VRRPv2 advertisement interval 1.500000s must be an integer. rounding
"#,
        5,
    ),
    (
        "f1.conf",
        r#"vrrp_instance V {
 interface eth0
 virtual_router_id 5
 priority 255
 state BACKUP
 virtual_ipaddress {
 10.0.0.1/24
 }
}
vrrp_instance W {
 virtual_router_id 6
 state MASTER
 priority 200
 track_interface {
 eth0
 nosuch
 }
 virtual_ipaddress {
 10.0.0.2/24
 }
}
"#,
        r#"(f1.conf: Line 16) (W) tracked interface nosuch doesn't exist
Non-existent interface specified in configuration
"#,
        5,
    ),
    (
        "f2.conf",
        r#"vrrp_script s {
 script "nosuch"
}
vrrp_instance V {
 interface eth9
 virtual_router_id 5
 nopreempt
 preempt_delay 3
 advert_int 1.5
 track_interface {
 eth9
 }
 track_script {
 s
 }
}
"#,
        r#"(f2.conf: Line 5) WARNING - interface eth9 for vrrp_instance V doesn't exist
(f2.conf: Line 11) (V) tracked interface eth9 doesn't exist
Non-existent interface specified in configuration
"#,
        5,
    ),
    (
        "f4.conf",
        r#"global_defs {
 router_id x

}
}
vrrp_instance V {
 interface eth0
"#,
        r#"(Line 5) Extra '}' found
(Line 5) Unknown keyword '}'
There are 1 missing '}'s or extra '{'s
(f4.conf: Line 5) Extra '}' found
(f4.conf: Line 5) Unknown keyword '}'
There are 1 missing '}'s or extra '{'s
(f4.conf: Line 5) Extra '}' found
(f4.conf: Line 5) Unknown keyword '}'
There are 1 missing '}'s or extra '{'s
(V) the virtual router id must be set
(f4.conf: Line 5) Extra '}' found
(f4.conf: Line 5) Unknown keyword '}'
There are 1 missing '}'s or extra '{'s
"#,
        5,
    ),
    (
        "g1.conf",
        r#"vrrp_script s {
 script "nosuch"
}
vrrp_script k {
 script "killall -0 x"
}
vrrp_instance V {
 interface eth0
 virtual_router_id 5
 nopreempt
 preempt_delay 3
 advert_int 1.5
 track_interface {
 eth0
 }
 track_script {
 s
 k
 }
}
vrrp_instance W {
 interface eth0
 virtual_router_id 5
 virtual_ipaddress {
 1.1.1.1
 }
}
zz
"#,
        r#"(Line 28) Unknown keyword 'zz'
(g1.conf: Line 28) Unknown keyword 'zz'
(g1.conf: Line 28) Unknown keyword 'zz'
Disabling track script s since not found/accessible
SECURITY VIOLATION - scripts are being executed but script_security not enabled.
(V) No VIP specified; at least one is sensible
(V) preempt_delay is incompatible with nopreempt mode - resetting
(V) VRRPv2 advertisement interval 1.500000s must be an integer. rounding
(V) Ignoring track_interface eth0 since own interface
(V) No VIP specified; at least one is sensible
V and W both use VRID 5 with IPv4 on interface eth0
(g1.conf: Line 28) Unknown keyword 'zz'
"#,
        6,
    ),
    (
        "g2.conf",
        r#"$A=eth0
$B=10.0.0.1/24 \
  dev $A
@vm $P=100
@^vm $P=50
~SEQ(i,1,2) $V=1
 vrrp_instance V$i {
 interface $A
 virtual_router_id 5$i
 priority $P
 virtual_ipaddress {
 $B
 }
}
"#,
        r#"(g2.conf: Line 12) VRRP parsed invalid IP dev. skipping IP...
"#,
        5,
    ),
    (
        "m_advert_int.conf",
        r#"vrrp_instance V {
 interface eth0
 virtual_router_id 5
 advert_int
 virtual_ipaddress {
 10.0.0.1/24
 }
}
"#,
        r#"(m_advert_int.conf: Line 4) *** Configuration line starting `advert_int` is missing a parameter after keyword `advert_int` at word position 2
"#,
        2,
    ),
    (
        "m_garp_master_delay.conf",
        r#"vrrp_instance V {
 interface eth0
 virtual_router_id 5
 garp_master_delay
 virtual_ipaddress {
 10.0.0.1/24
 }
}
"#,
        r#"(m_garp_master_delay.conf: Line 4) *** Configuration line starting `garp_master_delay` is missing a parameter after keyword `garp_master_delay` at word position 2
"#,
        2,
    ),
    (
        "m_interface.conf",
        r#"vrrp_instance V {
 interface eth0
 virtual_router_id 5
 interface
 virtual_ipaddress {
 10.0.0.1/24
 }
}
"#,
        r#"(m_interface.conf: Line 4) *** Configuration line starting `interface` is missing a parameter after keyword `interface` at word position 2
"#,
        2,
    ),
    (
        "m_nopreempt_x.conf",
        r#"vrrp_instance V {
 interface eth0
 virtual_router_id 5
 nopreempt x
 virtual_ipaddress {
 10.0.0.1/24
 }
}
"#,
        r#""#,
        0,
    ),
    (
        "m_notify_master.conf",
        r#"vrrp_instance V {
 interface eth0
 virtual_router_id 5
 notify_master
 virtual_ipaddress {
 10.0.0.1/24
 }
}
"#,
        r#"(m_notify_master.conf: Line 4) *** Configuration line starting `notify_master` is missing a parameter after keyword `notify_master` at word position 2
"#,
        2,
    ),
    (
        "m_preempt_delay.conf",
        r#"vrrp_instance V {
 interface eth0
 virtual_router_id 5
 preempt_delay
 virtual_ipaddress {
 10.0.0.1/24
 }
}
"#,
        r#"(m_preempt_delay.conf: Line 4) *** Configuration line starting `preempt_delay` is missing a parameter after keyword `preempt_delay` at word position 2
"#,
        2,
    ),
    (
        "m_priority.conf",
        r#"vrrp_instance V {
 interface eth0
 virtual_router_id 5
 priority
 virtual_ipaddress {
 10.0.0.1/24
 }
}
"#,
        r#"(m_priority.conf: Line 4) *** Configuration line starting `priority` is missing a parameter after keyword `priority` at word position 2
"#,
        2,
    ),
    (
        "m_smtp_alert.conf",
        r#"vrrp_instance V {
 interface eth0
 virtual_router_id 5
 smtp_alert
 virtual_ipaddress {
 10.0.0.1/24
 }
}
"#,
        r#""#,
        0,
    ),
    (
        "m_state.conf",
        r#"vrrp_instance V {
 interface eth0
 virtual_router_id 5
 state
 virtual_ipaddress {
 10.0.0.1/24
 }
}
"#,
        r#"(m_state.conf: Line 4) *** Configuration line starting `state` is missing a parameter after keyword `state` at word position 2
"#,
        2,
    ),
    (
        "m_unicast_src_ip.conf",
        r#"vrrp_instance V {
 interface eth0
 virtual_router_id 5
 unicast_src_ip
 virtual_ipaddress {
 10.0.0.1/24
 }
}
"#,
        r#"(m_unicast_src_ip.conf: Line 4) *** Configuration line starting `unicast_src_ip` is missing a parameter after keyword `unicast_src_ip` at word position 2
"#,
        2,
    ),
    (
        "m_use_vmac.conf",
        r#"vrrp_instance V {
 interface eth0
 virtual_router_id 5
 use_vmac
 virtual_ipaddress {
 10.0.0.1/24
 }
}
"#,
        r#""#,
        0,
    ),
    (
        "m_version.conf",
        r#"vrrp_instance V {
 interface eth0
 virtual_router_id 5
 version
 virtual_ipaddress {
 10.0.0.1/24
 }
}
"#,
        r#"(m_version.conf: Line 4) *** Configuration line starting `version` is missing a parameter after keyword `version` at word position 2
"#,
        2,
    ),
    (
        "mg_checker_priority.conf",
        r#"global_defs {
 checker_priority
}
"#,
        r#"(Line 2) No checker process priority specified
"#,
        5,
    ),
    (
        "mg_default_interface_nosuch.conf",
        r#"global_defs {
 default_interface nosuch
}
"#,
        r#""#,
        0,
    ),
    (
        "mg_dynamic_interfaces.conf",
        r#"global_defs {
 dynamic_interfaces
}
"#,
        r#""#,
        0,
    ),
    (
        "mg_enable_script_security_x.conf",
        r#"global_defs {
 enable_script_security x
}
"#,
        r#""#,
        0,
    ),
    (
        "mg_lvs_flush.conf",
        r#"global_defs {
 lvs_flush
}
"#,
        r#""#,
        0,
    ),
    (
        "mg_max_auto_priority.conf",
        r#"global_defs {
 max_auto_priority
}
"#,
        r#""#,
        0,
    ),
    (
        "mg_notification_email_from.conf",
        r#"global_defs {
 notification_email_from
}
"#,
        r#"(Line 2) emailfrom missing - ignoring
"#,
        5,
    ),
    (
        "mg_router_id_a_b.conf",
        r#"global_defs {
 router_id a b
}
"#,
        r#""#,
        0,
    ),
    (
        "mg_script_user.conf",
        r#"global_defs {
 script_user
}
"#,
        r#"(Line 2) No script username specified
"#,
        5,
    ),
    (
        "mg_script_user_nosuch.conf",
        r#"global_defs {
 script_user nosuch
}
"#,
        r#"(Line 2) Error setting global script uid/gid
"#,
        5,
    ),
    (
        "mg_smtp_alert.conf",
        r#"global_defs {
 smtp_alert
}
"#,
        r#""#,
        0,
    ),
    (
        "mg_smtp_connect_timeout.conf",
        r#"global_defs {
 smtp_connect_timeout
}
"#,
        r#"(Line 2) *** Configuration line starting `smtp_connect_timeout` is missing a parameter after keyword `smtp_connect_timeout` at word position 2
"#,
        2,
    ),
    (
        "mg_smtp_helo_name.conf",
        r#"global_defs {
 smtp_helo_name
}
"#,
        r#""#,
        0,
    ),
    (
        "mg_smtp_server.conf",
        r#"global_defs {
 smtp_server
}
"#,
        r#"(Line 2) *** Configuration line starting `smtp_server` is missing a parameter after keyword `smtp_server` at word position 2
"#,
        2,
    ),
    (
        "mg_smtp_server_1.2.3.4_99999.conf",
        r#"global_defs {
 smtp_server 1.2.3.4 99999
}
"#,
        r#"(Line 2) number '99999' outside range [1, 65535]
(Line 2) number '99999' outside range [1, 65535]
(Line 2) Invalid smtp server 1.2.3.4 99999
"#,
        5,
    ),
    (
        "mg_smtp_server_bad.conf",
        r#"global_defs {
 smtp_server bad
}
"#,
        r#"(Line 2) Invalid smtp server bad 25
"#,
        5,
    ),
    (
        "mg_vrrp_garp_interval.conf",
        r#"global_defs {
 vrrp_garp_interval
}
"#,
        r#"(Line 2) *** Configuration line starting `vrrp_garp_interval` is missing a parameter after keyword `vrrp_garp_interval` at word position 2
"#,
        2,
    ),
    (
        "mg_vrrp_garp_interval_2.conf",
        r#"global_defs {
 vrrp_garp_interval 2
}
"#,
        r#""#,
        0,
    ),
    (
        "mg_vrrp_garp_master_refresh.conf",
        r#"global_defs {
 vrrp_garp_master_refresh
}
"#,
        r#"(Line 2) *** Configuration line starting `vrrp_garp_master_refresh` is missing a parameter after keyword `vrrp_garp_master_refresh` at word position 2
"#,
        2,
    ),
    (
        "mg_vrrp_garp_master_refresh_repeat.conf",
        r#"global_defs {
 vrrp_garp_master_refresh_repeat
}
"#,
        r#"(Line 2) *** Configuration line starting `vrrp_garp_master_refresh_repeat` is missing a parameter after keyword `vrrp_garp_master_refresh_repeat` at word position 2
"#,
        2,
    ),
    (
        "mg_vrrp_garp_master_repeat.conf",
        r#"global_defs {
 vrrp_garp_master_repeat
}
"#,
        r#"(Line 2) *** Configuration line starting `vrrp_garp_master_repeat` is missing a parameter after keyword `vrrp_garp_master_repeat` at word position 2
"#,
        2,
    ),
    (
        "mg_vrrp_gna_interval.conf",
        r#"global_defs {
 vrrp_gna_interval
}
"#,
        r#"(Line 2) *** Configuration line starting `vrrp_gna_interval` is missing a parameter after keyword `vrrp_gna_interval` at word position 2
"#,
        2,
    ),
    (
        "mg_vrrp_iptables.conf",
        r#"global_defs {
 vrrp_iptables
}
"#,
        r#"(Line 2) iptables not supported, using nftables instead. Please replace 'vrrp_iptables and 'vrrp_ipsets' with 'nftables' config option
"#,
        5,
    ),
    (
        "mg_vrrp_iptables_IN_OUT.conf",
        r#"global_defs {
 vrrp_iptables IN OUT
}
"#,
        r#"(Line 2) iptables not supported, using nftables instead. Please replace 'vrrp_iptables and 'vrrp_ipsets' with 'nftables' config option
"#,
        5,
    ),
    (
        "mg_vrrp_mcast_group4.conf",
        r#"global_defs {
 vrrp_mcast_group4
}
"#,
        r#"(Line 2) *** Configuration line starting `vrrp_mcast_group4` is missing a parameter after keyword `vrrp_mcast_group4` at word position 2
"#,
        2,
    ),
    (
        "mg_vrrp_mcast_group4_1.2.3.4.conf",
        r#"global_defs {
 vrrp_mcast_group4 1.2.3.4
}
"#,
        r#"(Line 2) vrrp_mcast_group4 [1.2.3.4] is not multicast. Skipping
"#,
        5,
    ),
    (
        "mg_vrrp_mcast_group6.conf",
        r#"global_defs {
 vrrp_mcast_group6
}
"#,
        r#"(Line 2) *** Configuration line starting `vrrp_mcast_group6` is missing a parameter after keyword `vrrp_mcast_group6` at word position 2
"#,
        2,
    ),
    (
        "mg_vrrp_strict.conf",
        r#"global_defs {
 vrrp_strict
}
"#,
        r#""#,
        0,
    ),
    (
        "mg_vrrp_version.conf",
        r#"global_defs {
 vrrp_version
}
"#,
        r#"(Line 2) *** Configuration line starting `vrrp_version` is missing a parameter after keyword `vrrp_version` at word position 2
"#,
        2,
    ),
    (
        "mg_vrrp_version_4.conf",
        r#"global_defs {
 vrrp_version 4
}
"#,
        r#"(Line 2) number '4' outside range [2, 3]
(Line 2) VRRP Error: Version must be either 2 or 3
"#,
        5,
    ),
    (
        "x_empty_script.conf",
        r#"vrrp_script s {
 script
}
vrrp_instance V {
 interface eth0
 virtual_router_id 5
 virtual_ipaddress {
 10.0.0.1/24
 }
 track_script {
 s
 }
}
"#,
        r#"(x_empty_script.conf: Line 3) No script set for vrrp_script s - removing
(x_empty_script.conf: Line 11) (V) track script s not found, ignoring...
"#,
        5,
    ),
    (
        "x_ipsets.conf",
        r#"global_defs {
 vrrp_ipsets
}
"#,
        r#"(Line 2) Unknown keyword 'vrrp_ipsets'
"#,
        5,
    ),
    (
        "r1.conf",
        r#"! Configuration File for keepalived
global_defs {
   notification_email {
     acassen@firewall.loc
     failover@firewall.loc
   }
   notification_email_from Alexandre.Cassen@firewall.loc
   smtp_server 192.168.200.1
   smtp_connect_timeout 30
   router_id LVS_DEVEL
   vrrp_skip_check_adv_addr
   vrrp_strict
   enable_script_security
   vrrp_garp_interval 0
   vrrp_gna_interval 0
}

vrrp_instance VI_1 {
    state MASTER
    interface eth0
    virtual_router_id 51
    priority 100
    advert_int 1
    authentication {
        auth_type PASS
        auth_pass 1111
    }
    virtual_ipaddress {
        192.168.200.16
        192.168.200.17
        192.168.200.18
    }
}

virtual_server 192.168.200.100 443 {
    delay_loop 6
    lb_algo rr
    lb_kind NAT
    persistence_timeout 50
    protocol TCP

    real_server 192.168.201.100 443 {
        weight 1
        SSL_GET {
            url {
              path /
              digest ff20ad2481f97b1754ef3e12ecd3a9cc
            }
            url {
              path /mrtg/
              digest 9b3a0c85a887a256d6939da88aabd8cd
            }
            connect_timeout 3
            retry 3
            delay_before_retry 3
        }
    }
}

virtual_server 10.10.10.2 1358 {
    delay_loop 6
    lb_algo rr
    lb_kind NAT
    persistence_timeout 50
    protocol TCP

    sorry_server 192.168.200.200 1358

    real_server 192.168.200.2 1358 {
        weight 1
        HTTP_GET {
            url {
              path /testurl/test.jsp
              digest 640205b7b0fc66c1ea91c463fac6334d
            }
            connect_timeout 3
            retry 3
            delay_before_retry 3
        }
    }
}
"#,
        r#"(Line 14) number '0' outside range [0.000001, 4294.967295]
(Line 14) vrrp_garp_interval '0' is invalid
(Line 15) number '0' outside range [0.000001, 4294.967295]
(Line 15) vrrp_gna_interval '0' is invalid
(VI_1) State MASTER must match being address owner
(VI_1) Strict mode does not support authentication. Ignoring.
"#,
        5,
    ),
    (
        "r4.conf",
        r#"vrrp_instance D {
  interface eth0
  virtual_router_id 36
  virtual_ipaddress {
    10.1.1.4/24
  }
}"#,
        r#""#,
        0,
    ),
    (
        "r5.conf",
        r#"global_defs {
  vrrp_strict
}
vrrp_instance VI_1 {
    state MASTER
    interface eth0
    virtual_router_id 51
    priority 255
    advert_int 1
    nopreempt
    unicast_peer {
      10.0.0.9
    }
    virtual_ipaddress {
        192.168.200.16
    }
    virtual_ipaddress_excluded {
        192.168.200.17
    }
}
vrrp_instance VI_2 {
    state BACKUP
    interface eth0
    virtual_router_id 52
    priority 255
    advert_int 1.5
    version 3
    virtual_ipaddress {
        192.168.200.18
    }
}
"#,
        r#"(VI_1) nopreempt is incompatible with priority 255. resetting nopreempt
(VI_2) State MASTER must match being address owner
"#,
        5,
    ),
    (
        "t1.conf",
        r#"foo {
  bar 1
}
vrrp_instance V
 state MASTER
 interface eth0
 virtual_router_id 3
 virtual_ipaddress
 10.0.0.1
 }
}
"#,
        r#"(Line 1) Unknown keyword 'foo'
(Line 1) Unexpected '{' - ignoring
(Line 2) Unknown keyword 'bar'
(Line 3) Unknown keyword '}'
(Line 5) Unknown keyword 'state'
(Line 6) Unknown keyword 'interface'
(Line 7) Unknown keyword 'virtual_router_id'
(Line 8) Unknown keyword 'virtual_ipaddress'
(Line 9) Unknown keyword '10.0.0.1'
(Line 10) Extra '}' found
(Line 10) Unknown keyword '}'
(Line 11) Extra '}' found
(Line 11) Unknown keyword '}'
(t1.conf: Line 1) Unknown keyword 'foo'
(t1.conf: Line 1) Unexpected '{' - ignoring
(t1.conf: Line 2) Unknown keyword 'bar'
(t1.conf: Line 3) Unknown keyword '}'
(t1.conf: Line 5) Unknown keyword 'state'
(t1.conf: Line 6) Unknown keyword 'interface'
(t1.conf: Line 7) Unknown keyword 'virtual_router_id'
(t1.conf: Line 8) Unknown keyword 'virtual_ipaddress'
(t1.conf: Line 9) Unknown keyword '10.0.0.1'
(t1.conf: Line 10) Extra '}' found
(t1.conf: Line 10) Unknown keyword '}'
(t1.conf: Line 11) Extra '}' found
(t1.conf: Line 11) Unknown keyword '}'
(t1.conf: Line 1) Unknown keyword 'foo'
(t1.conf: Line 1) Unexpected '{' - ignoring
(t1.conf: Line 2) Unknown keyword 'bar'
(t1.conf: Line 3) Unknown keyword '}'
(t1.conf: Line 5) Missing '{' at beginning of configuration block
(t1.conf: Line 10) Extra '}' found
(t1.conf: Line 11) Extra '}' found
(t1.conf: Line 1) Unknown keyword 'foo'
(t1.conf: Line 1) Unexpected '{' - ignoring
(t1.conf: Line 2) Unknown keyword 'bar'
(t1.conf: Line 3) Unknown keyword '}'
(t1.conf: Line 5) Unknown keyword 'state'
(t1.conf: Line 6) Unknown keyword 'interface'
(t1.conf: Line 7) Unknown keyword 'virtual_router_id'
(t1.conf: Line 8) Unknown keyword 'virtual_ipaddress'
(t1.conf: Line 9) Unknown keyword '10.0.0.1'
(t1.conf: Line 10) Extra '}' found
(t1.conf: Line 10) Unknown keyword '}'
(t1.conf: Line 11) Extra '}' found
(t1.conf: Line 11) Unknown keyword '}'
"#,
        5,
    ),
    (
        "t2.conf",
        r#"vrrp_instance V {
 interface eth0
 virtual_router_id 3
 virtual_ipaddress {
 10.0.0.1
 fd00::1
 }
 unicast_peer {
 10.0.0.2
 fd00::2
 }
}
"#,
        r#"(t2.conf: Line 6) (V): address family must match VRRP instance [fd00::1] - ignoring
(t2.conf: Line 10) Configuration error: VRRP instance[V] and unicast peer address[fd00::2] MUST be of the same family !!! Skipping...
"#,
        5,
    ),
    (
        "t3.conf",
        r#"global_defs {
 router_id "a b"   # c
 notification_email_from x\#y@z
}
vrrp_script s {
 script "echo #x" 
}
vrrp_instance V {
 interface eth0
 virtual_router_id 3
 virtual_ipaddress { 10.0.0.1/24 dev eth0 }
 track_script { s weight 2 }
}
"#,
        r#"SECURITY VIOLATION - scripts are being executed but script_security not enabled.
"#,
        6,
    ),
    (
        "t5.conf",
        r#"vrrp_instance V {
 interface eth0
 virtual_router_id 3
 priority 50
 state MASTER
 virtual_ipaddress {
 10.0.0.1/24
 }
 authentication {
 auth_type AH
 auth_pass secret
 }
}
vrrp_instance W {
 interface eth0
 virtual_router_id 4
 state MASTER
 virtual_ipaddress {
 10.0.0.2/24
 }
 authentication {
 auth_pass secret
 }
}
"#,
        r#"(V) Initial state master is incompatible with AH authentication - clearing
"#,
        5,
    ),
    (
        "t6.conf",
        r#"vrrp_instance V {
 interface eth0
 virtual_router_id 3
 version 3
 advert_int 0.5
 priority 300
 preempt_delay 2000
 virtual_ipaddress {
 10.0.0.1/24 brd
 }
}
"#,
        r#"(t6.conf: Line 6) number '300' outside range [1, 255]
(t6.conf: Line 6) (V) Priority not valid! must be between 1 & 255. Using default 100
(t6.conf: Line 7) number '2000' outside range [0.000000, 1000.000000]
(t6.conf: Line 7) (V) Preempt_delay not valid! must be between 0-1000
(t6.conf: Line 9) No brd parameter specified for 10.0.0.1/24
(V) No VIP specified; at least one is required
"#,
        5,
    ),
    (
        "t7.conf",
        r#"vrrp_instance
{
}
vrrp_instance A B {
}
vrrp_sync_group
{
}
vrrp_script {
}
"#,
        r#"(t7.conf: Line 1) vrrp_instance must have a name
(t7.conf: Line 4) vrrp_instance must have a name
(t7.conf: Line 6) vrrp_sync_group must have a name - skipping
(t7.conf: Line 9) *** Configuration line starting `vrrp_script` is missing a parameter after keyword `vrrp_script` at word position 2
"#,
        2,
    ),
    (
        "t8.conf",
        r#"vrrp_instance V {
 interface eth0
 virtual_router_id 3
 virtual_ipaddress {
 10.0.0.1/24
 }
 track_interface {
 eth0 weight 300
 lo
 }
 state MASTER
 state BACKUP
}
"#,
        r#"(t8.conf: Line 8) number '300' outside range [-254, 254]
(t8.conf: Line 8) (V) weight 300 for eth0 must be between [-253..253] inclusive. Ignoring...
(t8.conf: Line 12) (V) state previously set as MASTER - ignoring BACKUP
(V) Ignoring track_interface eth0 since own interface
"#,
        5,
    ),
    (
        "u1.conf",
        r#"vrrp_instance V {
 interface eth0
 virtual_router_id 3
 version 3
}
"#,
        r#"(V) No VIP specified; at least one is required
"#,
        5,
    ),
    (
        "u2.conf",
        r#"vrrp_instance V {
 interface eth0
 virtual_router_id 3
 virtual_ipaddress {
 300.0.0.1
 }
}
"#,
        r#"(u2.conf: Line 5) VRRP parsed invalid IP 300.0.0.1. skipping IP...
(V) No VIP specified; at least one is sensible
(V) No VIP specified; at least one is sensible
"#,
        5,
    ),
    (
        "u3.conf",
        r#"vrrp_instance V {
 interface eth0
 virtual_router_id 3
 virtual_ipaddress {
 10.0.0.1 dev
 10.0.0.2 label
 10.0.0.3 scope
 10.0.0.4 scope bogus
 10.0.0.5 peer
 }
}
"#,
        r#"(u3.conf: Line 5) No dev parameter specified for 10.0.0.1
(u3.conf: Line 6) No label parameter specified for 10.0.0.2
(u3.conf: Line 7) No scope parameter specified for 10.0.0.3
(u3.conf: Line 8) Invalid scope 'bogus' specified for 10.0.0.4 - ignoring
(u3.conf: Line 9) No peer parameter specified for 10.0.0.5
"#,
        5,
    ),
    (
        "u4.conf",
        r#"vrrp_instance V {
 interface eth0
 virtual_router_id 3
 unicast_src_ip fd00::1
 virtual_ipaddress {
 10.0.0.1
 }
}
"#,
        r#"(u4.conf: Line 6) (V): address family must match VRRP instance [10.0.0.1] - ignoring
(V) No VIP specified; at least one is required
"#,
        5,
    ),
    (
        "u5.conf",
        r#"vrrp_instance V {
 interface eth0
 virtual_router_id 3
 virtual_ipaddress_excluded {
 10.0.0.1
 }
}
"#,
        r#"(V) No VIP specified; at least one is sensible
(V) No VIP specified; at least one is sensible
"#,
        5,
    ),
    (
        "c1.conf",
        r#"virtual_server 10.0.0.1 80 {
  real_server 10.0.0.2 {
  }
}
"#,
        r#"Virtual server [10.0.0.1]:none:80: no protocol set - defaulting to UDP
Virtual server [10.0.0.1]:udp:80: no scheduler set, setting default 'wlc'
Virtual server [10.0.0.1]:udp:80: no forwarding method set, setting default NAT
"#,
        5,
    ),
    (
        "c2.conf",
        r#"virtual_server 10.0.0.9 {
}
"#,
        r#"Virtual server [10.0.0.9]:none:0 has no real servers - ignoring
"#,
        5,
    ),
    (
        "c3.conf",
        r#"virtual_server 10.0.0.1 80 {
 real_server 10.0.0.3 80 {
    MISC_CHECK {
      misc_timeout 5
    }
  }
}
"#,
        r#"(c3.conf: Line 5) No script path has been specified for MISC_CHECKER - skipping
Virtual server [10.0.0.1]:none:80: no protocol set - defaulting to UDP
Virtual server [10.0.0.1]:udp:80: no scheduler set, setting default 'wlc'
Virtual server [10.0.0.1]:udp:80: no forwarding method set, setting default NAT
"#,
        5,
    ),
    (
        "c4.conf",
        r#"virtual_server 10.0.0.1 80 {
 real_server 10.0.0.3 80 {
  }
}
"#,
        r#"Virtual server [10.0.0.1]:none:80: no protocol set - defaulting to UDP
Virtual server [10.0.0.1]:udp:80: no scheduler set, setting default 'wlc'
Virtual server [10.0.0.1]:udp:80: no forwarding method set, setting default NAT
"#,
        5,
    ),
    (
        "c5.conf",
        r#"vrrp_script s {
  script /bin/true
  interval 1.5
  timeout 1.5
}
vrrp_script t {
  script /bin/true
  interval 5000
  timeout 5000
}
vrrp_instance A {
  interface eth0
  virtual_router_id 1
  virtual_ipaddress {
    10.0.0.1
  }
  track_script {
    s weight
    t bogus
    s weight 5 reverse
  }
}
"#,
        r#"(c5.conf: Line 3) invalid number '1.5'
(c5.conf: Line 3) (s): vrrp script interval '1.5' must be between 1 and 4294 - ignoring
(c5.conf: Line 4) invalid number '1.5'
(c5.conf: Line 4) (s): vrrp script timeout '1.5' invalid - ignoring
(c5.conf: Line 8) number '5000' outside range [0, 4294]
(c5.conf: Line 8) (t): vrrp script interval '5000' must be between 1 and 4294 - ignoring
(c5.conf: Line 9) number '5000' outside range [0, 4294]
(c5.conf: Line 9) (t): vrrp script timeout '5000' invalid - ignoring
(c5.conf: Line 18) (A) weight without value specified for track script s - ignoring
(c5.conf: Line 19) (A) unknown track script option bogus - ignoring
SECURITY VIOLATION - scripts are being executed but script_security not enabled.
"#,
        6,
    ),
    (
        "c6.conf",
        r#"virtual_server fwmark 1 {
 protocol TCP
}
virtual_server group G {
}
virtual_server 10.0.0.1 80 {
 protocol TCP
}
virtual_server fd00::1 80 {
  real_server fd00::2 80 {
  }
}
"#,
        r#"Virtual server FWM 1 has no real servers - ignoring
Virtual server [10.0.0.1]:tcp:80 has no real servers - ignoring
Virtual server [fd00::1]:none:80: no protocol set - defaulting to UDP
Virtual server [fd00::1]:udp:80: no scheduler set, setting default 'wlc'
Virtual server [fd00::1]:udp:80: no forwarding method set, setting default NAT
"#,
        5,
    ),
    (
        "c7.conf",
        r#"virtual_server 10.0.0.1 80 {
 real_server 10.0.0.3 80 {
  HTTP_GET {
   url {
    path /
   }
  }
 }
}
"#,
        r#"Virtual server [10.0.0.1]:none:80: no protocol set - defaulting to UDP
Virtual server [10.0.0.1]:udp:80: no scheduler set, setting default 'wlc'
Virtual server [10.0.0.1]:udp:80: no forwarding method set, setting default NAT
"#,
        5,
    ),
    (
        "c8.conf",
        r#"virtual_server fwmark 1 {
 real_server 10.0.0.2 80 {
 }
}
virtual_server_group G {
 10.0.0.5 80
}
virtual_server group G {
 real_server 10.0.0.2 80 {
 }
}
"#,
        r#"Virtual server FWM 1: no scheduler set, setting default 'wlc'
Virtual server FWM 1: no forwarding method set, setting default NAT
Virtual server [G]:0: no protocol set - defaulting to UDP
Virtual server [G]:0: no scheduler set, setting default 'wlc'
Virtual server [G]:0: no forwarding method set, setting default NAT
"#,
        5,
    ),
    (
        "l2.conf",
        r#"vrrp_sync_group G {
  group {
    A
    NOPE
  }
}
vrrp_sync_group G {
  group {
    A
  }
}
vrrp_instance A {
  interface eth0
  virtual_router_id 1
  advert_int 300
  authentication {
    auth_pass abc
  }
  virtual_ipaddress {
    10.0.0.1
  }
}
track_file tf {
  weight 3
}
static_ipaddress {
  10.5.5.5/24 dev nosuchif
}
"#,
        r#"(l2.conf: Line 25) No file set for track_file tf - ignoring
(l2.conf: Line 7) vrrp sync group G already defined
(l2.conf: Line 15) number '300' outside range [0.010000, 255.000000]
(l2.conf: Line 15) (A) Advert interval (300) not valid! Must be > 0 - ignoring
(l2.conf: Line 25) No file set for track_file tf - ignoring
(l2.conf: Line 27) WARNING - interface nosuchif for ip address 10.5.5.5/24 doesn't exist
Non-existent interface specified in configuration
"#,
        5,
    ),
    (
        "l3.conf",
        r#"vrrp_script s {
  script /bin/true
  interval 2s
  timeout -1
  weight 10 bogus
  user root nosuchgroup
}
vrrp_instance A {
  interface eth0
  virtual_router_id 1
  virtual_ipaddress {
    10.0.0.1
  }
  track_script {
    s weight
    s bogus
  }
  garp_master_delay x
}
"#,
        r#"(l3.conf: Line 3) invalid number '2s'
(l3.conf: Line 3) (s): vrrp script interval '2s' must be between 1 and 4294 - ignoring
(l3.conf: Line 4) negative number '-1'
(l3.conf: Line 4) (s): vrrp script timeout '-1' invalid - ignoring
(l3.conf: Line 5) vrrp_script s unknown weight option bogus
(l3.conf: Line 6) Unable to set uid/gid for script '/bin/true'
(l3.conf: Line 15) (A) track script s not found, ignoring...
(l3.conf: Line 16) (A) track script s not found, ignoring...
(l3.conf: Line 18) invalid number 'x'
(l3.conf: Line 18) (A): garp_master_delay 'x' invalid - ignoring
"#,
        5,
    ),
    ("e0.conf", r#""#, r#""#, 0),
    (
        "e2.conf",
        r#"global_defs {
 router_id "a{b}c"
}
vrrp_instance {
}
vrrp_instance V W {
}
vrrp_sync_group {
}
vrrp_script {
}
track_file {
}
"#,
        r#"(e2.conf: Line 12) *** Configuration line starting `track_file` is missing a parameter after keyword `track_file` at word position 2
"#,
        2,
    ),
    (
        "e5.conf",
        r#"vrrp_instance V {
 interface eth0
 virtual_router_id 3
 virtual_ipaddress {
 10.0.0.1
 }
}
vrrp_instance W {
 interface eth0
 virtual_router_id 3
 virtual_ipaddress {
 fd00::1
 }
}
vrrp_instance X {
 interface eth0
 virtual_router_id 3
 virtual_ipaddress {
 10.0.0.2
 }
}
"#,
        r#"V and X both use VRID 3 with IPv4 on interface eth0
"#,
        5,
    ),
    (
        "e6.conf",
        r#"@vm global_defs {
@vm  router_id A
@vm }
@^vm global_defs {
@^vm bogus
@^vm }
@ bad
@other x
"#,
        r#""#,
        0,
    ),
    (
        "inc.conf",
        r#" virtual_router_id 9
"#,
        r#"(Line 1) Unknown keyword 'virtual_router_id'
(inc.conf: Line 1) Unknown keyword 'virtual_router_id'
(inc.conf: Line 1) Unknown keyword 'virtual_router_id'
(inc.conf: Line 1) Unknown keyword 'virtual_router_id'
"#,
        5,
    ),
    (
        "s1.conf",
        r#"$INST=vrrp_instance VI_${N} { \
 interface eth0 \
 virtual_router_id ${N} \
 virtual_ipaddress { \
 10.0.0.${N} \
 } \
}
~SEQ(N, 1, 3) $INST
~SEQ(i,5) bogus_$i
~SEQx(h,9,12) hex_$h
~SEQ(bad
"#,
        r#"(Line 9) Unknown keyword 'bogus_1'
(Line 9) Unknown keyword 'bogus_2'
(Line 9) Unknown keyword 'bogus_3'
(Line 9) Unknown keyword 'bogus_4'
(Line 9) Unknown keyword 'bogus_5'
(Line 10) Unknown keyword 'hex_9'
(Line 10) Unknown keyword 'hex_a'
(Line 10) Unknown keyword 'hex_b'
(Line 10) Unknown keyword 'hex_c'
(Line 11) Invalid ~SEQ definition '~SEQ(bad'
(Line 11) Invalid ~SEQ specification '~SEQ(bad'
(s1.conf: Line 9) Unknown keyword 'bogus_1'
(s1.conf: Line 9) Unknown keyword 'bogus_2'
(s1.conf: Line 9) Unknown keyword 'bogus_3'
(s1.conf: Line 9) Unknown keyword 'bogus_4'
(s1.conf: Line 9) Unknown keyword 'bogus_5'
(s1.conf: Line 10) Unknown keyword 'hex_9'
(s1.conf: Line 10) Unknown keyword 'hex_a'
(s1.conf: Line 10) Unknown keyword 'hex_b'
(s1.conf: Line 10) Unknown keyword 'hex_c'
(s1.conf: Line 11) Invalid ~SEQ definition '~SEQ(bad'
(s1.conf: Line 11) Invalid ~SEQ specification '~SEQ(bad'
(s1.conf: Line 9) Unknown keyword 'bogus_1'
(s1.conf: Line 9) Unknown keyword 'bogus_2'
(s1.conf: Line 9) Unknown keyword 'bogus_3'
(s1.conf: Line 9) Unknown keyword 'bogus_4'
(s1.conf: Line 9) Unknown keyword 'bogus_5'
(s1.conf: Line 10) Unknown keyword 'hex_9'
(s1.conf: Line 10) Unknown keyword 'hex_a'
(s1.conf: Line 10) Unknown keyword 'hex_b'
(s1.conf: Line 10) Unknown keyword 'hex_c'
(s1.conf: Line 11) Invalid ~SEQ definition '~SEQ(bad'
(s1.conf: Line 11) Invalid ~SEQ specification '~SEQ(bad'
(s1.conf: Line 9) Unknown keyword 'bogus_1'
(s1.conf: Line 9) Unknown keyword 'bogus_2'
(s1.conf: Line 9) Unknown keyword 'bogus_3'
(s1.conf: Line 9) Unknown keyword 'bogus_4'
(s1.conf: Line 9) Unknown keyword 'bogus_5'
(s1.conf: Line 10) Unknown keyword 'hex_9'
(s1.conf: Line 10) Unknown keyword 'hex_a'
(s1.conf: Line 10) Unknown keyword 'hex_b'
(s1.conf: Line 10) Unknown keyword 'hex_c'
(s1.conf: Line 11) Invalid ~SEQ definition '~SEQ(bad'
(s1.conf: Line 11) Invalid ~SEQ specification '~SEQ(bad'
"#,
        5,
    ),
    (
        "s2.conf",
        r#"~SEQ(i,5) bogus_$i
"#,
        r#"(Line 1) Unknown keyword 'bogus_1'
(Line 1) Unknown keyword 'bogus_2'
(Line 1) Unknown keyword 'bogus_3'
(Line 1) Unknown keyword 'bogus_4'
(Line 1) Unknown keyword 'bogus_5'
(s2.conf: Line 1) Unknown keyword 'bogus_1'
(s2.conf: Line 1) Unknown keyword 'bogus_2'
(s2.conf: Line 1) Unknown keyword 'bogus_3'
(s2.conf: Line 1) Unknown keyword 'bogus_4'
(s2.conf: Line 1) Unknown keyword 'bogus_5'
(s2.conf: Line 1) Unknown keyword 'bogus_1'
(s2.conf: Line 1) Unknown keyword 'bogus_2'
(s2.conf: Line 1) Unknown keyword 'bogus_3'
(s2.conf: Line 1) Unknown keyword 'bogus_4'
(s2.conf: Line 1) Unknown keyword 'bogus_5'
(s2.conf: Line 1) Unknown keyword 'bogus_1'
(s2.conf: Line 1) Unknown keyword 'bogus_2'
(s2.conf: Line 1) Unknown keyword 'bogus_3'
(s2.conf: Line 1) Unknown keyword 'bogus_4'
(s2.conf: Line 1) Unknown keyword 'bogus_5'
"#,
        5,
    ),
    (
        "s3.conf",
        r#"$X=1
~SEQ(i,2) bogus_$i
"#,
        r#"(Line 2) Unknown keyword 'bogus_1'
(Line 2) Unknown keyword 'bogus_2'
(s3.conf: Line 2) Unknown keyword 'bogus_1'
(s3.conf: Line 2) Unknown keyword 'bogus_2'
(s3.conf: Line 2) Unknown keyword 'bogus_1'
(s3.conf: Line 2) Unknown keyword 'bogus_2'
(s3.conf: Line 2) Unknown keyword 'bogus_1'
(s3.conf: Line 2) Unknown keyword 'bogus_2'
"#,
        5,
    ),
    (
        "v1.conf",
        r#"vrrp_instance V {
 interface eth0
 virtual_router_id 3
 virtual_ipaddress {
 10.0.0.1/24 dev eth0 label foo
 10.0.0.2/24 label eth0:averyveryverylonglabel
 10.0.0.3/abc
 10.0.0.4/
 10.0.0.5/24 dev lo
 10.0.0.6/24 brd 10.0.0.300
 10.0.0.7/24 brd +
 10.0.0.8 noprefixroute home nodad
 10.0.0.9/24 preferred_lft 0
 }
}
"#,
        r#"(v1.conf: Line 6) Address label eth0:averyveryverylonglabel is longer than maximum length 15 - removing address
(v1.conf: Line 7) invalid number 'abc'
(v1.conf: Line 7) Invalid address prefix len abc for address 10.0.0.3/abc - using 32
(v1.conf: Line 10) VRRP is trying to assign invalid broadcast 10.0.0.300. skipping VIP...
(v1.conf: Line 12) Unknown configuration entry 'nodad' for ip address - ignoring
"#,
        5,
    ),
    (
        "v2.conf",
        r#"vrrp_instance V {
 interface eth0
 virtual_router_id 3
 virtual_ipaddress {
 fd00::1/64 brd fd00::ff
 fd00::2/129
 fe80::1/64 scope link
 }
}
"#,
        r#"(v2.conf: Line 5) VRRP is trying to assign a broadcast brd to the IPv6 address fd00::1/64 !!?? WTF... skipping VIP...
(v2.conf: Line 6) number '129' outside range [0, 128]
(v2.conf: Line 6) Invalid address prefix len 129 for address fd00::2/129 - using 128
(v2.conf: Line 7) Cannot specify scope for IPv6 addresses (fe80::1/64) - ignoring scope
"#,
        5,
    ),
    (
        "v3.conf",
        r#"global_defs {
 notification_email { a@b c@d }
 router_id x
 router_id y
}
vrrp_instance V {
 interface eth0
 virtual_router_id 3
 priority 100 extra
 virtual_ipaddress {
 10.0.0.1/24
 }
 state
}
"#,
        r#"(v3.conf: Line 13) *** Configuration line starting `state` is missing a parameter after keyword `state` at word position 2
"#,
        2,
    ),
];
