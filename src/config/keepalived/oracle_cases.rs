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
    (
        "HTTP_GET.port.conf",
        r#"! Configuration File for keepalived

global_defs {
   notification_email {
     acassen
   }
   notification_email_from Alexandre.Cassen@firewall.loc
   smtp_server 192.168.200.1
   smtp_connect_timeout 30
   router_id LVS_DEVEL
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
            connect_port    444
            connect_timeout 3
            retry 3
            delay_before_retry 3
        }
    }
}
"#,
        r#""#,
        0,
    ),
    (
        "IPv6.conf",
        r#"# Configuration File for keepalived

global_defs {
   router_id LVS_DEVEL
}

virtual_server_group IPv6_group {
    ae00::2-9 80
    ae00::1   80
}

# virtual_server group IPv6_group {
virtual_server ae00::1 80 {
    delay_loop 6
    lb_algo rr
    lb_kind NAT
    persistence_timeout 50
    protocol TCP

#   real_server ae00::10 80 {
    real_server ae00::10 25 {
        weight 1

        SMTP_CHECK {
            connect_timeout 3
            retry 3
            helo_name "foo.bar.com"

#           host {
#               bindto ae00::2
#               connect_ip ae00::10
#               connect_port 25
#           }
        }

#       TCP_CHECK {
#          connect_port 80
#          bind_to ae00::2
#       }

#       HTTP_GET {
#           url {
#             path /ind.html
#             status_code 200
#           }
#           bindto ae00::2
#           connect_timeout 3
#           retry 3
#           delay_before_retry 3
#       }
    }
}
"#,
        r#""#,
        0,
    ),
    (
        "PING_CHECK.conf",
        r#"! Configuration File for keepalived
! This example demonstrates PING_CHECK, a component of LVS configuration.

global_defs {
   notification_email {
     acassen
   }
   notification_email_from Alexandre.Cassen@firewall.loc
   smtp_server 192.168.200.1
   smtp_connect_timeout 30
   router_id LVS_DEVEL
}

virtual_server 10.10.10.2 1358 {
    delay_loop 6
    lb_algo rr
    lb_kind NAT
    persistence_timeout 50
    protocol UDP

    real_server 192.168.200.6 1358 {
        weight 1
	PING_CHECK {
		retry 4
	}
    }
}
"#,
        r#""#,
        0,
    ),
    (
        "SMTP_CHECK.conf",
        r#"! Configuration File for keepalived
!
! The SMTP_CHECK connects to a smtp server
! and checks with the following dialogue:
!
! 220 mta1.somecompany.com ESMTP
! HELO foo.bar.com
! 250 mta1.somecompany.com Hello foo.bar.com [192.168.1.45], pleased to meet you
! QUIT
! 221 2.0.0 mta1.somecompany.com closing connection
!
! It specifically checks the numeric codes returned (220, 250, and 221).
!

global_defs {
   notification_email {
     acassen
   }
   notification_email_from Alexandre.Cassen@firewall.loc
   smtp_server 192.168.200.1
   smtp_connect_timeout 30
   router_id LVS_DEVEL
}

virtual_server 192.168.200.100 25 {
    delay_loop 60
    lb_algo rr
    lb_kind NAT
    protocol TCP

! In this real_server example we will simply check
! the ip address of the real_server. This could be
! the case where the real server only has a single
! interface that keepalived is balancing traffic
! to.

    real_server 172.16.1.10 25 {
        weight 1
        SMTP_CHECK {
            connect_timeout 30
            retry 2
            delay_before_retry 5
            helo_name "foo.bar.com"
        }
    }

! In this complex example, the real_server has
! multiple interfaces. Keepalived is sending traffic
! to 172.16.1.11 but the smtp server also routes
! traffic to some additional subnets. We do not
! want to dispatch traffic unless all the interfaces
! appear to be up. Note: The main ip of the real
! server that we are dispatching traffic to must
! explicitly be checked by a host directive.

    real_server 172.16.1.11 25 {
        weight 1
        SMTP_CHECK {
            connect_timeout 10
            retry 2
            delay_before_retry 5
            helo_name foo.bar.com

            host {
                connect_ip 172.16.1.11
            }

            host {
                connect_ip  192.168.155.10
            }

            host {
                connect_ip  64.233.167.99
            }
        }
    }

! Final example showing some of the more extended
! features.
!
! Use connect_port to provide an alternate port
! other than the default 25.
!
! Use bindto to force the connection to originate
! from a specific interface.

    real_server 172.16.1.12 25 {
        weight 1
        SMTP_CHECK {
            connect_timeout 10
            retry 2
            delay_before_retry 5
            helo_name "foo.bar.com"

            host {
                connect_ip 172.16.1.12
                connect_port 25
                bindto 172.16.1.2
            }

            host {
                connect_ip  192.168.155.11
                connect_port 25
                bindto 192.168.155.2
            }

            host {
                connect_ip  64.233.167.100
                connect_port 587
            }
        }
    }
}
"#,
        r#""#,
        0,
    ),
    (
        "SSL_GET.conf",
        r#"! Configuration File for keepalived

global_defs {
   notification_email {
     acassen
   }
   notification_email_from Alexandre.Cassen@firewall.loc
   smtp_server 192.168.200.1
   smtp_connect_timeout 30
   router_id LVS_DEVEL
}

vrrp_instance VI_1 {
    state MASTER
    interface eth0
    virtual_router_id 51
    priority 100
    advert_int 1
    authentication {
        auth_type AH
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

virtual_server 192.168.200.100 80 {
    delay_loop 6
    lb_algo rr
    lb_kind NAT
    persistence_timeout 50
    protocol TCP

    real_server 192.168.201.100 80 {
        weight 1
        HTTP_GET {
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
"#,
        r#"(VI_1) Initial state master is incompatible with AH authentication - clearing
"#,
        5,
    ),
    (
        "UDP_CHECK.conf",
        r#"! Configuration File for keepalived
! This example demonstrates UDP_CHECK, a component of LVS configuration.

global_defs {
   notification_email {
     acassen
   }
   notification_email_from Alexandre.Cassen@firewall.loc
   smtp_server 192.168.200.1
   smtp_connect_timeout 30
   router_id LVS_DEVEL
}

virtual_server 10.10.10.2 1358 {
    delay_loop 6
    lb_algo rr
    lb_kind NAT
    persistence_timeout 50
    protocol UDP

    real_server 192.168.200.6 1358 {
        weight 1
        UDP_CHECK {
		connect_timeout 3
		retry 3
		delay_before_retry 3
!		require_reply
        }
    }
}
"#,
        r#""#,
        0,
    ),
    (
        "conditional_conf.conf",
        r#"# Run keepalived with either '-i high' or '-i low'

@high net_namespace high
@low net_namespace low

vrrp_script check_VI_0 {
@high	script /etc/keepalived/scripts/check_high_VI_0.sh
@low	script /etc/keepalived/scripts/check_low_VI_0.sh
	interval 1
	timeout 10
	rise 3
	fall 3
}

vrrp_instance VI_0 {
	state BACKUP
	interface eth0
	virtual_router_id 1
@high	priority 170
@low	priority 85
	advert_int 12
	version 3
	use_vmac
	track_script {
		check_VI_0
	}
	track_interface {
		eth3
		eth2 weight 20
	}
	virtual_ipaddress {
		10.1.0.254/32
	}
}
"#,
        r#"(conditional_conf.conf: Line 13) No script set for vrrp_script check_VI_0 - removing
(conditional_conf.conf: Line 25) (VI_0) track script check_VI_0 not found, ignoring...
(conditional_conf.conf: Line 28) (VI_0) tracked interface eth3 doesn't exist
(conditional_conf.conf: Line 29) (VI_0) tracked interface eth2 doesn't exist
Non-existent interface specified in configuration
"#,
        5,
    ),
    (
        "etc-sample.conf",
        r#"! Configuration File for keepalived

global_defs {
   notification_email {
     acassen@firewall.loc
     failover@firewall.loc
     sysadmin@firewall.loc
   }
   notification_email_from Alexandre.Cassen@firewall.loc
   smtp_server 192.168.200.1
   smtp_connect_timeout 30
   router_id LVS_DEVEL
   vrrp_skip_check_adv_addr
   vrrp_strict
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
            url {
              path /testurl2/test.jsp
              digest 640205b7b0fc66c1ea91c463fac6334d
            }
            url {
              path /testurl3/test.jsp
              digest 640205b7b0fc66c1ea91c463fac6334d
            }
            connect_timeout 3
            retry 3
            delay_before_retry 3
        }
    }

    real_server 192.168.200.3 1358 {
        weight 1
        HTTP_GET {
            url {
              path /testurl/test.jsp
              digest 640205b7b0fc66c1ea91c463fac6334c
            }
            url {
              path /testurl2/test.jsp
              digest 640205b7b0fc66c1ea91c463fac6334c
            }
            connect_timeout 3
            retry 3
            delay_before_retry 3
        }
    }
}

virtual_server 10.10.10.3 1358 {
    delay_loop 3
    lb_algo rr
    lb_kind NAT
    persistence_timeout 50
    protocol TCP

    real_server 192.168.200.4 1358 {
        weight 1
        HTTP_GET {
            url {
              path /testurl/test.jsp
              digest 640205b7b0fc66c1ea91c463fac6334d
            }
            url {
              path /testurl2/test.jsp
              digest 640205b7b0fc66c1ea91c463fac6334d
            }
            url {
              path /testurl3/test.jsp
              digest 640205b7b0fc66c1ea91c463fac6334d
            }
            connect_timeout 3
            retry 3
            delay_before_retry 3
        }
    }

    real_server 192.168.200.5 1358 {
        weight 1
        HTTP_GET {
            url {
              path /testurl/test.jsp
              digest 640205b7b0fc66c1ea91c463fac6334d
            }
            url {
              path /testurl2/test.jsp
              digest 640205b7b0fc66c1ea91c463fac6334d
            }
            url {
              path /testurl3/test.jsp
              digest 640205b7b0fc66c1ea91c463fac6334d
            }
            connect_timeout 3
            retry 3
            delay_before_retry 3
        }
    }
}
"#,
        r#"(Line 15) number '0' outside range [0.000001, 4294.967295]
(Line 15) vrrp_garp_interval '0' is invalid
(Line 16) number '0' outside range [0.000001, 4294.967295]
(Line 16) vrrp_gna_interval '0' is invalid
(VI_1) State MASTER must match being address owner
(VI_1) Strict mode does not support authentication. Ignoring.
"#,
        5,
    ),
    (
        "fwmark.conf",
        r#"! Sample configuration for use Linux FWMARK

global_defs {
  router_id io
}

virtual_server fwmark 1 {
  delay_loop 6
  lb_algo rr
  lb_kind NAT
  persistence_timeout 900
  protocol TCP

  real_server 192.168.201.100 {
    weight 1
    TCP_CHECK {
      connect_port    80
      connect_timeout 3
    }
  }

  real_server 192.168.201.101 {
    weight 1
    TCP_CHECK {
      connect_port    80
      connect_timeout 3
    }
  }
}



"#,
        r#"Warning: Virtual server FWM 1: protocol specified for fwmark - protocol will be ignored
"#,
        5,
    ),
    (
        "gx.conf",
        r#"global_defs {
 startup_script_timeout x
}
"#,
        r#"(Line 2) invalid number 'x'
(Line 2) startup_script_timeout 'x' must be in [1, 1000] - ignoring
"#,
        5,
    ),
    (
        "gx_checker_priority_-5.conf",
        r#"global_defs {
 checker_priority -5
}
"#,
        r#""#,
        0,
    ),
    (
        "gx_checker_priority_0.conf",
        r#"global_defs {
 checker_priority 0
}
"#,
        r#""#,
        0,
    ),
    (
        "gx_checker_priority_5000000000.conf",
        r#"global_defs {
 checker_priority 5000000000
}
"#,
        r#"(Line 2) number '5000000000' outside integer range
(Line 2) Invalid checker process priority specified
"#,
        5,
    ),
    (
        "gx_checker_priority_x.conf",
        r#"global_defs {
 checker_priority x
}
"#,
        r#"(Line 2) invalid number 'x'
(Line 2) Invalid checker process priority specified
"#,
        5,
    ),
    (
        "gx_dynamic_interfaces_-5.conf",
        r#"global_defs {
 dynamic_interfaces -5
}
"#,
        r#"(Line 2) Unknown dynamic_interfaces option '-5'
"#,
        5,
    ),
    (
        "gx_dynamic_interfaces_0.conf",
        r#"global_defs {
 dynamic_interfaces 0
}
"#,
        r#"(Line 2) Unknown dynamic_interfaces option '0'
"#,
        5,
    ),
    (
        "gx_dynamic_interfaces_5000000000.conf",
        r#"global_defs {
 dynamic_interfaces 5000000000
}
"#,
        r#"(Line 2) Unknown dynamic_interfaces option '5000000000'
"#,
        5,
    ),
    (
        "gx_dynamic_interfaces_x.conf",
        r#"global_defs {
 dynamic_interfaces x
}
"#,
        r#"(Line 2) Unknown dynamic_interfaces option 'x'
"#,
        5,
    ),
    (
        "gx_enable_traps_-5.conf",
        r#"global_defs {
 enable_traps -5
}
"#,
        r#""#,
        0,
    ),
    (
        "gx_enable_traps_0.conf",
        r#"global_defs {
 enable_traps 0
}
"#,
        r#""#,
        0,
    ),
    (
        "gx_enable_traps_5000000000.conf",
        r#"global_defs {
 enable_traps 5000000000
}
"#,
        r#""#,
        0,
    ),
    (
        "gx_enable_traps_x.conf",
        r#"global_defs {
 enable_traps x
}
"#,
        r#""#,
        0,
    ),
    (
        "gx_fifo_write_vrrp_states_on_reload_-5.conf",
        r#"global_defs {
 fifo_write_vrrp_states_on_reload -5
}
"#,
        r#""#,
        0,
    ),
    (
        "gx_fifo_write_vrrp_states_on_reload_0.conf",
        r#"global_defs {
 fifo_write_vrrp_states_on_reload 0
}
"#,
        r#""#,
        0,
    ),
    (
        "gx_fifo_write_vrrp_states_on_reload_5000000000.conf",
        r#"global_defs {
 fifo_write_vrrp_states_on_reload 5000000000
}
"#,
        r#""#,
        0,
    ),
    (
        "gx_fifo_write_vrrp_states_on_reload_x.conf",
        r#"global_defs {
 fifo_write_vrrp_states_on_reload x
}
"#,
        r#""#,
        0,
    ),
    (
        "gx_lvs_flush_on_stop_-5.conf",
        r#"global_defs {
 lvs_flush_on_stop -5
}
"#,
        r#"(Line 2) Unknown lvs_flush_on_stop type -5
"#,
        5,
    ),
    (
        "gx_lvs_flush_on_stop_0.conf",
        r#"global_defs {
 lvs_flush_on_stop 0
}
"#,
        r#"(Line 2) Unknown lvs_flush_on_stop type 0
"#,
        5,
    ),
    (
        "gx_lvs_flush_on_stop_5000000000.conf",
        r#"global_defs {
 lvs_flush_on_stop 5000000000
}
"#,
        r#"(Line 2) Unknown lvs_flush_on_stop type 5000000000
"#,
        5,
    ),
    (
        "gx_lvs_flush_on_stop_x.conf",
        r#"global_defs {
 lvs_flush_on_stop x
}
"#,
        r#"(Line 2) Unknown lvs_flush_on_stop type x
"#,
        5,
    ),
    (
        "gx_max_auto_priority_-5.conf",
        r#"global_defs {
 max_auto_priority -5
}
"#,
        r#"(Line 2) number '-5' outside range [-1, 99]
(Line 2) max_auto_priority '-5' must be in [0, 99] (or -1 to disable) - ignoring
"#,
        5,
    ),
    (
        "gx_max_auto_priority_0.conf",
        r#"global_defs {
 max_auto_priority 0
}
"#,
        r#""#,
        0,
    ),
    (
        "gx_max_auto_priority_5000000000.conf",
        r#"global_defs {
 max_auto_priority 5000000000
}
"#,
        r#"(Line 2) number '5000000000' outside integer range
(Line 2) max_auto_priority '5000000000' must be in [0, 99] (or -1 to disable) - ignoring
"#,
        5,
    ),
    (
        "gx_max_auto_priority_x.conf",
        r#"global_defs {
 max_auto_priority x
}
"#,
        r#"(Line 2) invalid number 'x'
(Line 2) max_auto_priority 'x' must be in [0, 99] (or -1 to disable) - ignoring
"#,
        5,
    ),
    (
        "gx_nftables_priority_-5.conf",
        r#"global_defs {
 nftables_priority -5
}
"#,
        r#""#,
        0,
    ),
    (
        "gx_nftables_priority_0.conf",
        r#"global_defs {
 nftables_priority 0
}
"#,
        r#""#,
        0,
    ),
    (
        "gx_nftables_priority_5000000000.conf",
        r#"global_defs {
 nftables_priority 5000000000
}
"#,
        r#"(Line 2) number '5000000000' outside integer range
(Line 2) invalid nftables chain priority '5000000000'
"#,
        5,
    ),
    (
        "gx_nftables_priority_x.conf",
        r#"global_defs {
 nftables_priority x
}
"#,
        r#"(Line 2) invalid number 'x'
(Line 2) invalid nftables chain priority 'x'
"#,
        5,
    ),
    (
        "gx_no_checker_emails_-5.conf",
        r#"global_defs {
 no_checker_emails -5
}
"#,
        r#"(Line 2) Invalid value '-5' for global no_checker_emails specified
"#,
        5,
    ),
    (
        "gx_no_checker_emails_0.conf",
        r#"global_defs {
 no_checker_emails 0
}
"#,
        r#"(Line 2) Invalid value '0' for global no_checker_emails specified
"#,
        5,
    ),
    (
        "gx_no_checker_emails_5000000000.conf",
        r#"global_defs {
 no_checker_emails 5000000000
}
"#,
        r#"(Line 2) Invalid value '5000000000' for global no_checker_emails specified
"#,
        5,
    ),
    (
        "gx_no_checker_emails_x.conf",
        r#"global_defs {
 no_checker_emails x
}
"#,
        r#"(Line 2) Invalid value 'x' for global no_checker_emails specified
"#,
        5,
    ),
    (
        "gx_random_seed_-5.conf",
        r#"global_defs {
 random_seed -5
}
"#,
        r#"(Line 2) negative number '-5'
(Line 2) random_seed -5 invalid
"#,
        5,
    ),
    (
        "gx_random_seed_0.conf",
        r#"global_defs {
 random_seed 0
}
"#,
        r#""#,
        0,
    ),
    (
        "gx_random_seed_5000000000.conf",
        r#"global_defs {
 random_seed 5000000000
}
"#,
        r#"(Line 2) number '5000000000' outside unsigned integer range
(Line 2) random_seed 5000000000 invalid
"#,
        5,
    ),
    (
        "gx_random_seed_x.conf",
        r#"global_defs {
 random_seed x
}
"#,
        r#"(Line 2) invalid number 'x'
(Line 2) random_seed x invalid
"#,
        5,
    ),
    (
        "gx_rs_init_notifies_-5.conf",
        r#"global_defs {
 rs_init_notifies -5
}
"#,
        r#"(Line 2) Invalid value '-5' for global rs_init_notifies specified
"#,
        5,
    ),
    (
        "gx_rs_init_notifies_0.conf",
        r#"global_defs {
 rs_init_notifies 0
}
"#,
        r#"(Line 2) Invalid value '0' for global rs_init_notifies specified
"#,
        5,
    ),
    (
        "gx_rs_init_notifies_5000000000.conf",
        r#"global_defs {
 rs_init_notifies 5000000000
}
"#,
        r#"(Line 2) Invalid value '5000000000' for global rs_init_notifies specified
"#,
        5,
    ),
    (
        "gx_rs_init_notifies_x.conf",
        r#"global_defs {
 rs_init_notifies x
}
"#,
        r#"(Line 2) Invalid value 'x' for global rs_init_notifies specified
"#,
        5,
    ),
    (
        "gx_smtp_alert_checker_-5.conf",
        r#"global_defs {
 smtp_alert_checker -5
}
"#,
        r#"(Line 2) Invalid value '-5' for global smtp_alert_checker specified
"#,
        5,
    ),
    (
        "gx_smtp_alert_checker_0.conf",
        r#"global_defs {
 smtp_alert_checker 0
}
"#,
        r#"(Line 2) Invalid value '0' for global smtp_alert_checker specified
"#,
        5,
    ),
    (
        "gx_smtp_alert_checker_5000000000.conf",
        r#"global_defs {
 smtp_alert_checker 5000000000
}
"#,
        r#"(Line 2) Invalid value '5000000000' for global smtp_alert_checker specified
"#,
        5,
    ),
    (
        "gx_smtp_alert_checker_x.conf",
        r#"global_defs {
 smtp_alert_checker x
}
"#,
        r#"(Line 2) Invalid value 'x' for global smtp_alert_checker specified
"#,
        5,
    ),
    (
        "gx_smtp_alert_vrrp_-5.conf",
        r#"global_defs {
 smtp_alert_vrrp -5
}
"#,
        r#"(Line 2) Invalid value '-5' for global smtp_alert_vrrp specified
"#,
        5,
    ),
    (
        "gx_smtp_alert_vrrp_0.conf",
        r#"global_defs {
 smtp_alert_vrrp 0
}
"#,
        r#"(Line 2) Invalid value '0' for global smtp_alert_vrrp specified
"#,
        5,
    ),
    (
        "gx_smtp_alert_vrrp_5000000000.conf",
        r#"global_defs {
 smtp_alert_vrrp 5000000000
}
"#,
        r#"(Line 2) Invalid value '5000000000' for global smtp_alert_vrrp specified
"#,
        5,
    ),
    (
        "gx_smtp_alert_vrrp_x.conf",
        r#"global_defs {
 smtp_alert_vrrp x
}
"#,
        r#"(Line 2) Invalid value 'x' for global smtp_alert_vrrp specified
"#,
        5,
    ),
    (
        "gx_startup_script_timeout_-5.conf",
        r#"global_defs {
 startup_script_timeout -5
}
"#,
        r#"(Line 2) negative number '-5'
(Line 2) startup_script_timeout '-5' must be in [1, 1000] - ignoring
"#,
        5,
    ),
    (
        "gx_startup_script_timeout_0.conf",
        r#"global_defs {
 startup_script_timeout 0
}
"#,
        r#"(Line 2) number '0' outside range [1, 1000]
(Line 2) startup_script_timeout '0' must be in [1, 1000] - ignoring
"#,
        5,
    ),
    (
        "gx_startup_script_timeout_5000000000.conf",
        r#"global_defs {
 startup_script_timeout 5000000000
}
"#,
        r#"(Line 2) number '5000000000' outside unsigned integer range
(Line 2) startup_script_timeout '5000000000' must be in [1, 1000] - ignoring
"#,
        5,
    ),
    (
        "gx_startup_script_timeout_x.conf",
        r#"global_defs {
 startup_script_timeout x
}
"#,
        r#"(Line 2) invalid number 'x'
(Line 2) startup_script_timeout 'x' must be in [1, 1000] - ignoring
"#,
        5,
    ),
    (
        "gx_vrrp_down_timer_adverts_-5.conf",
        r#"global_defs {
 vrrp_down_timer_adverts -5
}
"#,
        r#"(Line 2) negative number '-5'
(Line 2) Invalid vrrp_down_timer_adverts [1:100] '-5'
"#,
        5,
    ),
    (
        "gx_vrrp_down_timer_adverts_0.conf",
        r#"global_defs {
 vrrp_down_timer_adverts 0
}
"#,
        r#"(Line 2) number '0' outside range [1, 100]
(Line 2) Invalid vrrp_down_timer_adverts [1:100] '0'
"#,
        5,
    ),
    (
        "gx_vrrp_down_timer_adverts_5000000000.conf",
        r#"global_defs {
 vrrp_down_timer_adverts 5000000000
}
"#,
        r#"(Line 2) number '5000000000' outside unsigned integer range
(Line 2) Invalid vrrp_down_timer_adverts [1:100] '5000000000'
"#,
        5,
    ),
    (
        "gx_vrrp_down_timer_adverts_x.conf",
        r#"global_defs {
 vrrp_down_timer_adverts x
}
"#,
        r#"(Line 2) invalid number 'x'
(Line 2) Invalid vrrp_down_timer_adverts [1:100] 'x'
"#,
        5,
    ),
    (
        "gx_vrrp_garp_lower_prio_delay_-5.conf",
        r#"global_defs {
 vrrp_garp_lower_prio_delay -5
}
"#,
        r#"(Line 2) negative number '-5'
(Line 2) vrrp_garp_lower_prio_delay '-5' invalid - ignoring
"#,
        5,
    ),
    (
        "gx_vrrp_garp_lower_prio_delay_0.conf",
        r#"global_defs {
 vrrp_garp_lower_prio_delay 0
}
"#,
        r#""#,
        0,
    ),
    (
        "gx_vrrp_garp_lower_prio_delay_5000000000.conf",
        r#"global_defs {
 vrrp_garp_lower_prio_delay 5000000000
}
"#,
        r#"(Line 2) number '5000000000' outside unsigned integer range
(Line 2) vrrp_garp_lower_prio_delay '5000000000' invalid - ignoring
"#,
        5,
    ),
    (
        "gx_vrrp_garp_lower_prio_delay_x.conf",
        r#"global_defs {
 vrrp_garp_lower_prio_delay x
}
"#,
        r#"(Line 2) invalid number 'x'
(Line 2) vrrp_garp_lower_prio_delay 'x' invalid - ignoring
"#,
        5,
    ),
    (
        "gx_vrrp_garp_lower_prio_repeat_-5.conf",
        r#"global_defs {
 vrrp_garp_lower_prio_repeat -5
}
"#,
        r#"(Line 2) negative number '-5'
(Line 2) Invalid vrrp_garp_lower_prio_repeat '-5'
"#,
        5,
    ),
    (
        "gx_vrrp_garp_lower_prio_repeat_0.conf",
        r#"global_defs {
 vrrp_garp_lower_prio_repeat 0
}
"#,
        r#""#,
        0,
    ),
    (
        "gx_vrrp_garp_lower_prio_repeat_5000000000.conf",
        r#"global_defs {
 vrrp_garp_lower_prio_repeat 5000000000
}
"#,
        r#"(Line 2) number '5000000000' outside unsigned integer range
(Line 2) Invalid vrrp_garp_lower_prio_repeat '5000000000'
"#,
        5,
    ),
    (
        "gx_vrrp_garp_lower_prio_repeat_x.conf",
        r#"global_defs {
 vrrp_garp_lower_prio_repeat x
}
"#,
        r#"(Line 2) invalid number 'x'
(Line 2) Invalid vrrp_garp_lower_prio_repeat 'x'
"#,
        5,
    ),
    (
        "gx_vrrp_higher_prio_send_advert_-5.conf",
        r#"global_defs {
 vrrp_higher_prio_send_advert -5
}
"#,
        r#"(Line 2) Invalid value for vrrp_higher_prio_send_advert specified
"#,
        5,
    ),
    (
        "gx_vrrp_higher_prio_send_advert_0.conf",
        r#"global_defs {
 vrrp_higher_prio_send_advert 0
}
"#,
        r#"(Line 2) Invalid value for vrrp_higher_prio_send_advert specified
"#,
        5,
    ),
    (
        "gx_vrrp_higher_prio_send_advert_5000000000.conf",
        r#"global_defs {
 vrrp_higher_prio_send_advert 5000000000
}
"#,
        r#"(Line 2) Invalid value for vrrp_higher_prio_send_advert specified
"#,
        5,
    ),
    (
        "gx_vrrp_higher_prio_send_advert_x.conf",
        r#"global_defs {
 vrrp_higher_prio_send_advert x
}
"#,
        r#"(Line 2) Invalid value for vrrp_higher_prio_send_advert specified
"#,
        5,
    ),
    (
        "gx_vrrp_netlink_cmd_rcv_bufs_-5.conf",
        r#"global_defs {
 vrrp_netlink_cmd_rcv_bufs -5
}
"#,
        r#"(Line 2) negative number '-5'
(Line 2) vrrp_netlink_cmd_rcv_bufs size (-5) invalid
"#,
        5,
    ),
    (
        "gx_vrrp_netlink_cmd_rcv_bufs_0.conf",
        r#"global_defs {
 vrrp_netlink_cmd_rcv_bufs 0
}
"#,
        r#""#,
        0,
    ),
    (
        "gx_vrrp_netlink_cmd_rcv_bufs_5000000000.conf",
        r#"global_defs {
 vrrp_netlink_cmd_rcv_bufs 5000000000
}
"#,
        r#"(Line 2) number '5000000000' outside unsigned integer range
(Line 2) vrrp_netlink_cmd_rcv_bufs size (5000000000) invalid
"#,
        5,
    ),
    (
        "gx_vrrp_netlink_cmd_rcv_bufs_force_-5.conf",
        r#"global_defs {
 vrrp_netlink_cmd_rcv_bufs_force -5
}
"#,
        r#"(Line 2) Invalid value '-5' for global vrrp_netlink_cmd_rcv_bufs_force specified
"#,
        5,
    ),
    (
        "gx_vrrp_netlink_cmd_rcv_bufs_force_0.conf",
        r#"global_defs {
 vrrp_netlink_cmd_rcv_bufs_force 0
}
"#,
        r#"(Line 2) Invalid value '0' for global vrrp_netlink_cmd_rcv_bufs_force specified
"#,
        5,
    ),
    (
        "gx_vrrp_netlink_cmd_rcv_bufs_force_5000000000.conf",
        r#"global_defs {
 vrrp_netlink_cmd_rcv_bufs_force 5000000000
}
"#,
        r#"(Line 2) Invalid value '5000000000' for global vrrp_netlink_cmd_rcv_bufs_force specified
"#,
        5,
    ),
    (
        "gx_vrrp_netlink_cmd_rcv_bufs_force_x.conf",
        r#"global_defs {
 vrrp_netlink_cmd_rcv_bufs_force x
}
"#,
        r#"(Line 2) Invalid value 'x' for global vrrp_netlink_cmd_rcv_bufs_force specified
"#,
        5,
    ),
    (
        "gx_vrrp_netlink_cmd_rcv_bufs_x.conf",
        r#"global_defs {
 vrrp_netlink_cmd_rcv_bufs x
}
"#,
        r#"(Line 2) invalid number 'x'
(Line 2) vrrp_netlink_cmd_rcv_bufs size (x) invalid
"#,
        5,
    ),
    (
        "gx_vrrp_priority_-5.conf",
        r#"global_defs {
 vrrp_priority -5
}
"#,
        r#""#,
        0,
    ),
    (
        "gx_vrrp_priority_-50.conf",
        r#"global_defs {
 vrrp_priority -50
}
"#,
        r#"(Line 2) number '-50' outside range [-20, 19]
(Line 2) Invalid vrrp process priority specified
"#,
        5,
    ),
    (
        "gx_vrrp_priority_0.conf",
        r#"global_defs {
 vrrp_priority 0
}
"#,
        r#""#,
        0,
    ),
    (
        "gx_vrrp_priority_150.conf",
        r#"global_defs {
 vrrp_priority 150
}
"#,
        r#"(Line 2) number '150' outside range [-20, 19]
(Line 2) Invalid vrrp process priority specified
"#,
        5,
    ),
    (
        "gx_vrrp_priority_5000000000.conf",
        r#"global_defs {
 vrrp_priority 5000000000
}
"#,
        r#"(Line 2) number '5000000000' outside integer range
(Line 2) Invalid vrrp process priority specified
"#,
        5,
    ),
    (
        "gx_vrrp_priority_x.conf",
        r#"global_defs {
 vrrp_priority x
}
"#,
        r#"(Line 2) invalid number 'x'
(Line 2) Invalid vrrp process priority specified
"#,
        5,
    ),
    (
        "gx_vrrp_rlimit_rttime_-5.conf",
        r#"global_defs {
 vrrp_rlimit_rttime -5
}
"#,
        r#"(Line 2) negative number '-5'
(Line 2) Invalid vrrp real-time limit - -5
"#,
        5,
    ),
    (
        "gx_vrrp_rlimit_rttime_0.conf",
        r#"global_defs {
 vrrp_rlimit_rttime 0
}
"#,
        r#"(Line 2) number '0' outside range [1, 4294967295]
(Line 2) Invalid vrrp real-time limit - 0
"#,
        5,
    ),
    (
        "gx_vrrp_rlimit_rttime_5000000000.conf",
        r#"global_defs {
 vrrp_rlimit_rttime 5000000000
}
"#,
        r#"(Line 2) number '5000000000' outside unsigned integer range
(Line 2) Invalid vrrp real-time limit - 5000000000
"#,
        5,
    ),
    (
        "gx_vrrp_rlimit_rttime_x.conf",
        r#"global_defs {
 vrrp_rlimit_rttime x
}
"#,
        r#"(Line 2) invalid number 'x'
(Line 2) Invalid vrrp real-time limit - x
"#,
        5,
    ),
    (
        "gx_vrrp_rt_priority_-5.conf",
        r#"global_defs {
 vrrp_rt_priority -5
}
"#,
        r#"(Line 2) vrrp process real-time priority -5 less than minimum 1 - setting to minimum
"#,
        5,
    ),
    (
        "gx_vrrp_rt_priority_-50.conf",
        r#"global_defs {
 vrrp_rt_priority -50
}
"#,
        r#"(Line 2) vrrp process real-time priority -50 less than minimum 1 - setting to minimum
"#,
        5,
    ),
    (
        "gx_vrrp_rt_priority_0.conf",
        r#"global_defs {
 vrrp_rt_priority 0
}
"#,
        r#"(Line 2) vrrp process real-time priority 0 less than minimum 1 - setting to minimum
"#,
        5,
    ),
    (
        "gx_vrrp_rt_priority_150.conf",
        r#"global_defs {
 vrrp_rt_priority 150
}
"#,
        r#"(Line 2) vrrp process real-time priority 150 greater than maximum 99 - setting to maximum
"#,
        5,
    ),
    (
        "gx_vrrp_rt_priority_5000000000.conf",
        r#"global_defs {
 vrrp_rt_priority 5000000000
}
"#,
        r#"(Line 2) number '5000000000' outside integer range
(Line 2) vrrp process real-time priority '5000000000' invalid
"#,
        5,
    ),
    (
        "gx_vrrp_rt_priority_x.conf",
        r#"global_defs {
 vrrp_rt_priority x
}
"#,
        r#"(Line 2) invalid number 'x'
(Line 2) vrrp process real-time priority 'x' invalid
"#,
        5,
    ),
    (
        "inhibit.conf",
        r#"! Configuration File for keepalived

global_defs {
   notification_email {
     acassen
   }
   notification_email_from Alexandre.Cassen@firewall.loc
   smtp_server 192.168.200.1
   smtp_connect_timeout 30
   router_id LVS_DEVEL
}

virtual_server 10.10.10.2 1358 {
    delay_loop 6
    lb_algo rr
    lb_kind NAT
    persistence_timeout 50
    protocol TCP

    real_server 192.168.200.2 1358 {
        weight 1
        inhibit_on_failure        ! set weight to 0 instead of removing service
        HTTP_GET {
            url {
              path /testurl3/test.jsp
              digest 640205b7b0fc66c1ea91c463fac6334d
            }
            connect_timeout 3
            retry 3
            delay_before_retry 3
        }
    }
}
"#,
        r#""#,
        0,
    ),
    (
        "misc_check.conf",
        r#"! Configuration File for keepalived
! This example demonstrates MISC_CHECK, a component of LVS configuration.

global_defs {
   notification_email {
     acassen
   }
   notification_email_from Alexandre.Cassen@firewall.loc
   smtp_server 192.168.200.1
   smtp_connect_timeout 30
   router_id LVS_DEVEL
}

virtual_server 10.10.10.2 1358 {
    delay_loop 6
    lb_algo rr
    lb_kind NAT
    persistence_timeout 50
    protocol TCP

    real_server 192.168.200.6 1358 {
        weight 1
        MISC_CHECK {
          misc_path /usr/local/bin/script.sh
!         misc_dynamic
        }
    }

}

"#,
        r#""#,
        0,
    ),
    (
        "misc_check_arg.conf",
        r#"! Configuration File for keepalived

global_defs {
   notification_email {
     acassen
   }
   notification_email_from Alexandre.Cassen@firewall.loc
   smtp_server 192.168.200.1
   smtp_connect_timeout 30
   router_id LVS_DEVEL
}

virtual_server 10.10.10.2 1358 {
    delay_loop 6
    lb_algo rr
    lb_kind NAT
    persistence_timeout 50
    protocol TCP

    real_server 192.168.200.6 1358 {
        weight 1
        MISC_CHECK {
          misc_path "/usr/local/bin/script.sh arg1 arg2"
        }
    }

}

"#,
        r#""#,
        0,
    ),
    (
        "quorum.conf",
        r#"! Sample configuration for quorum/hysteresis setup.
! The server pool below consists of 10 servers. After
! start, the quorum will not be reached until 9 (7+2)
! live servers are present in the pool (all servers are
! equally weighted, and quorum is the sum of weights).
! Once this happens, a custom script will be executed,
! which supposedly invokes some actions to start
! announcing IP address of the virtual server to the
! world. After that the quorum will not break until
! the pool has 5 (7-2) or more live servers. Pool size
! change from 7 to 6 and back will not trigger a quorum
! flap this way. Once there are less than 5 servers,
! the quorum is considered lost and corresponding
! script is executed, supposedly propagating the
! failure, so necessary actions can be taken.
!
! Due to the alpha mode, all real servers are considered
! down on server start, so the quorum is initially lost.
! Due to the omega mode, quorum_down notifier is executed
! on keepalived shutdown as well (see keepalived.conf
! manpage for details).

virtual_server 10.0.1.1 80 {
  delay_loop 6
  lb_algo wrr
  lb_kind NAT
  persistence_timeout 900
  protocol TCP
  alpha
  omega
  quorum 7
  hysteresis 2
  quorum_up /usr/local/sbin/quorum-up.sh
  quorum_down /usr/local/sbin/quorum-down.sh

  real_server 10.0.0.1 8080 {
    weight 1
    TCP_CHECK {
      connect_port    80
      connect_timeout 3
    }
  }
  real_server 10.0.0.2 8080 {
    weight 1
    TCP_CHECK {
      connect_port    80
      connect_timeout 3
    }
  }
  real_server 10.0.0.3 8080 {
    weight 1
    TCP_CHECK {
      connect_port    80
      connect_timeout 3
    }
  }
  real_server 10.0.0.4 8080 {
    weight 1
    TCP_CHECK {
      connect_port    80
      connect_timeout 3
    }
  }
  real_server 10.0.0.5 8080 {
    weight 1
    TCP_CHECK {
      connect_port    80
      connect_timeout 3
    }
  }
  real_server 10.0.0.6 8080 {
    weight 1
    TCP_CHECK {
      connect_port    80
      connect_timeout 3
    }
  }
  real_server 10.0.0.7 8080 {
    weight 1
    TCP_CHECK {
      connect_port    80
      connect_timeout 3
    }
  }
  real_server 10.0.0.8 8080 {
    weight 1
    TCP_CHECK {
      connect_port    80
      connect_timeout 3
    }
  }
  real_server 10.0.0.9 8080 {
    weight 1
    TCP_CHECK {
      connect_port    80
      connect_timeout 3
    }
  }
  real_server 10.0.0.10 8080 {
    weight 1
    TCP_CHECK {
      connect_port    80
      connect_timeout 3
    }
  }
}
"#,
        r#""#,
        0,
    ),
    (
        "sample.conf",
        r#"! Configuration File for keepalived

global_defs {
   notification_email {
     acassen
   }
   notification_email_from Alexandre.Cassen@firewall.loc
   smtp_server 192.168.200.1
   smtp_connect_timeout 30
   router_id LVS_DEVEL
}

vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 50
    nopreempt
    priority 100
    advert_int 1
    virtual_ipaddress {
        192.168.200.11
        192.168.200.12
        192.168.200.13
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
              path /testurl3/test.jsp
              digest 640205b7b0fc66c1ea91c463fac6334d
            }
            connect_timeout 3
            retry 3
            delay_before_retry 3
        }
    }
}
"#,
        r#""#,
        0,
    ),
    (
        "status_code.conf",
        r#"! Configuration File for keepalived
! This example demonstrates status_code, a component of LVS configuration.

global_defs {
   notification_email {
     acassen
   }
   notification_email_from Alexandre.Cassen@firewall.loc
   smtp_server 192.168.200.1
   smtp_connect_timeout 30
   router_id LVS_DEVEL
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
              status_code 200-299 400-499 503 505 # Can specify a HTTP status_code or a section separated by '-' or both
            }
            url {
              path /mrtg/
              digest 9b3a0c85a887a256d6939da88aabd8cd
              status_code 200  # Can mix digest and status_code
            }
            connect_timeout 3
            retry 3
            delay_before_retry 3
        }
    }
}
"#,
        r#""#,
        0,
    ),
    (
        "track_interface.conf",
        r#"! Configuration File for keepalived

global_defs {
   router_id LVS_DEVEL
}

static_routes {
    192.168.210.0/24 via 192.168.200.254 dev eth0
    192.168.211.0/24 via 192.168.200.254 dev eth0
    192.168.212.0/24 dev eth3
    192.168.213.0/24 dev eth1
}

vrrp_instance VI_1 {
    state MASTER
    interface eth0.1		# Vlaned interface
    track_interface {		# Interface state we monitor
      eth0
      eth1
    }
    virtual_router_id 51
    priority 100
    virtual_ipaddress {
        192.168.200.16
        192.168.200.17 dev eth1
        192.168.200.18 dev eth2
    }
    virtual_routes {
        192.168.110.0/24 via 192.168.200.254 dev eth1
        192.168.111.0/24 dev eth2
        192.168.112.0/24 via 192.168.100.254
    }
}
"#,
        r#"(track_interface.conf: Line 10) WARNING - interface eth3 for VROUTE nexthop doesn't exist
(track_interface.conf: Line 11) WARNING - interface eth1 for VROUTE nexthop doesn't exist
(track_interface.conf: Line 16) WARNING - interface eth0.1 for vrrp_instance VI_1 doesn't exist
(track_interface.conf: Line 19) (VI_1) tracked interface eth1 doesn't exist
(track_interface.conf: Line 25) WARNING - interface eth1 for ip address 192.168.200.17 doesn't exist
(track_interface.conf: Line 26) WARNING - interface eth2 for ip address 192.168.200.18 doesn't exist
(track_interface.conf: Line 29) WARNING - interface eth1 for VROUTE nexthop doesn't exist
(track_interface.conf: Line 30) WARNING - interface eth2 for VROUTE nexthop doesn't exist
(track_interface.conf: Line 31) Warning - cannot track route 192.168.112.0/24 with no interface specified, not tracking
Non-existent interface specified in configuration
"#,
        5,
    ),
    (
        "virtual_server_group.conf",
        r#"! Configuration File for keepalived

global_defs {
   notification_email {
     acassen
   }
   notification_email_from Alexandre.Cassen@firewall.loc
   smtp_server 192.168.200.1
   smtp_connect_timeout 30
   router_id LVS_DEVEL
}

virtual_server_group VSG_1 {
	10.0.0.1 8080
	10.0.0.2 80
	192.168.200.1 1358
	192.168.200.3-10 80
	fwmark 1
	fwmark 2
}

virtual_server group VSG_1 {
    delay_loop 6
    lb_algo rr
    lb_kind NAT
    persistence_timeout 50
    protocol TCP

    real_server 192.168.200.1 1358 {
        weight 1
        HTTP_GET {
            url {
              path /testurl3/test.jsp
              digest 640205b7b0fc66c1ea91c463fac6334d
            }
            connect_timeout 3
            retry 3
            delay_before_retry 3
        }
    }

    real_server 192.168.200.2 1358 {
        weight 1
        HTTP_GET {
            url {
              path /testurl3/test.jsp
              digest 640205b7b0fc66c1ea91c463fac6334d
            }
            connect_timeout 3
            retry 3
            delay_before_retry 3
        }
    }
}
"#,
        r#""#,
        0,
    ),
    (
        "virtualhost.conf",
        r#"! Configuration File for keepalived

global_defs {
   notification_email {
     acassen
   }
   notification_email_from Alexandre.Cassen@firewall.loc
   smtp_server 192.168.200.1
   smtp_connect_timeout 30
   router_id LVS_DEVEL
}

virtual_server 192.168.200.100 80 {
    delay_loop 6
    lb_algo rr
    lb_kind NAT
    persistence_timeout 50
    protocol TCP
    virtualhost www.firewall.loc    # The VirtualHost string to use
                                    # in the GET query.

    real_server 192.168.201.100 80 {
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
"#,
        r#""#,
        0,
    ),
    (
        "vrrp.conf",
        r#"! Configuration File for keepalived

global_defs {
   notification_email {
     acassen
   }
   notification_email_from Alexandre.Cassen@firewall.loc
   smtp_server 192.168.200.1
   smtp_connect_timeout 30
   router_id LVS_DEVEL
}

vrrp_instance VI_1 {
    state MASTER
    interface eth0
    garp_master_delay 10
    smtp_alert
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

        # optional label. should be of the form "realdev:sometext" for
        # compatibility with ifconfig.
        192.168.200.18 label eth0:1
    }
}

vrrp_instance VI_2 {
    interface eth0
    smtp_alert
    virtual_router_id 50
    priority 50
    advert_int 1
    virtual_ipaddress {
        192.168.200.13
        192.168.200.14
        192.168.200.15
    }
}

vrrp_instance VI_3 {
    state MASTER
    interface eth1
    smtp_alert
    virtual_router_id 52
    priority 100
    advert_int 1
    authentication {
        auth_type PASS
        auth_pass 1111
    }
    virtual_ipaddress {
        192.168.201.13
        192.168.201.14
        192.168.201.15
    }
}

vrrp_instance VI_4 {
    interface eth1
    smtp_alert
    virtual_router_id 53
    priority 50
    advert_int 1
    virtual_ipaddress {
        192.168.201.16
        192.168.201.17
        192.168.201.18
    }
}
"#,
        r#"(vrrp.conf: Line 51) WARNING - interface eth1 for vrrp_instance VI_3 doesn't exist
(vrrp.conf: Line 68) WARNING - interface eth1 for vrrp_instance VI_4 doesn't exist
Non-existent interface specified in configuration
"#,
        5,
    ),
    (
        "vrrp.localcheck.conf",
        r#"! Configuration File for keepalived

# Note: The "</dev/tcp/127.0.0.1/80" syntax for a script
# requires that /bin/sh is Bash.
# On systems where /bin/sh is not Bash (e.g. Debian, Ubuntu),
# then the following alternatives should be used:
#   script "bash -c '</dev/tcp/127.0.0.1/80'"
# or
#   script "nc -z 127.0.0.1 80"

vrrp_script chk_sshd {
       script "killall -0 sshd"        # cheaper than pidof
       interval 2                      # check every 2 seconds
       weight -4                       # default prio: -4 if KO
       fall 2                          # require 2 failures for KO
       rise 2                          # require 2 successes for OK
}

vrrp_script chk_haproxy {
       script "killall -0 haproxy"     # cheaper than pidof
       interval 2                      # check every 2 seconds
}

vrrp_script chk_http_port {
       script "</dev/tcp/127.0.0.1/80" # connects and exits
       interval 1                      # check every second
       weight -2                       # default prio: -2 if connect fails
}

vrrp_script chk_https_port {
       script "</dev/tcp/127.0.0.1/443"
       interval 1
       weight -2
}

vrrp_script chk_smtp_port {
       script "</dev/tcp/127.0.0.1/25"
       interval 1
       weight -2
}

vrrp_instance VI_1 {
    interface eth0
    state MASTER
    virtual_router_id 51
    priority 100
    virtual_ipaddress {
        192.168.200.18/25
    }
    track_interface {
       eth1 weight 2   # prio = +2 if UP
       eth2 weight -2  # prio = -2 if DOWN
       eth3            # no weight, fault if down
    }
    track_script {
       chk_sshd                # use default weight from the script
       chk_haproxy weight 2    # +2 if process is present
       chk_http_port
       chk_https_port
       chk_smtp_port
    }
}

vrrp_instance VI_2 {
    interface eth1
    state MASTER
    virtual_router_id 52
    priority 100
    virtual_ipaddress {
        192.168.201.18/26
    }
    track_interface {
       eth0 weight 2   # prio = +2 if UP
       eth2 weight -2  # prio = -2 if DOWN
       eth3            # no weight, fault if down
    }
    track_script {
       chk_haproxy weight 2
       chk_http_port
       chk_https_port
       chk_smtp_port
    }
}

vrrp_instance VI_3 {
    interface eth0
    virtual_router_id 53
    priority 100
    virtual_ipaddress {
        192.168.200.19/27
    }
}

vrrp_instance VI_4 {
    interface eth1
    virtual_router_id 54
    priority 100
    virtual_ipaddress {
        192.168.201.19/28
    }
}

vrrp_instance VI_5 {
    state MASTER
    interface eth0
    virtual_router_id 55
    priority 100
    virtual_ipaddress {
        192.168.200.20/27
    }
}


vrrp_instance VI_6 {
    state MASTER
    interface eth0
    virtual_router_id 56
    priority 100
    virtual_ipaddress {
        192.168.200.21/27
    }
}

vrrp_instance VI_7 {
    state MASTER
    interface eth0
    virtual_router_id 57
    priority 100
    virtual_ipaddress {
        192.168.200.22/27
    }
}

vrrp_instance VI_8 {
    state MASTER
    interface eth0
    virtual_router_id 58
    priority 100
    virtual_ipaddress {
        192.168.200.23/27
    }
}

vrrp_instance VI_9 {
    state MASTER
    interface eth0
    virtual_router_id 59
    priority 100
    virtual_ipaddress {
        192.168.200.24/27
    }
}
"#,
        r#"(vrrp.localcheck.conf: Line 51) (VI_1) tracked interface eth1 doesn't exist
(vrrp.localcheck.conf: Line 52) (VI_1) tracked interface eth2 doesn't exist
(vrrp.localcheck.conf: Line 53) (VI_1) tracked interface eth3 doesn't exist
(vrrp.localcheck.conf: Line 65) WARNING - interface eth1 for vrrp_instance VI_2 doesn't exist
(vrrp.localcheck.conf: Line 74) (VI_2) tracked interface eth2 doesn't exist
(vrrp.localcheck.conf: Line 75) (VI_2) tracked interface eth3 doesn't exist
(vrrp.localcheck.conf: Line 95) WARNING - interface eth1 for vrrp_instance VI_4 doesn't exist
Non-existent interface specified in configuration
"#,
        5,
    ),
    (
        "vrrp.lvs_syncd.conf",
        r#"! Configuration File for keepalived

vrrp_sync_group VG1 {
  VI_2
  VI_3
}

vrrp_instance VI_1 {
    state MASTER
    interface eth0
    lvs_sync_daemon_interface eth1
    virtual_router_id 51
    priority 150
    advert_int 1
    authentication {
        auth_type PASS
        auth_pass grr02
    }
    virtual_ipaddress {
        192.168.200.16
        192.168.200.17
        192.168.200.18
    }
}

vrrp_instance VI_2 {
    interface eth0
    virtual_router_id 52
    priority 100
    advert_int 1
    virtual_ipaddress {
        192.168.200.19
        192.168.200.20
        192.168.200.21
    }
}

vrrp_instance VI_3 {
    interface eth1
    virtual_router_id 53
    priority 100
    advert_int 1
    virtual_ipaddress {
        192.168.201.19
        192.168.201.20
        192.168.201.21
    }
}

virtual_server 192.168.200.19 80 {
    delay_loop 20
    lb_algo rr
    lb_kind NAT
    persistence_timeout 50
    protocol TCP

    real_server 192.168.201.100 80 {
        weight 1
        TCP_CHECK {
            connect_timeout 3
        }
    }
}
"#,
        r#"(vrrp.lvs_syncd.conf: Line 4) Unknown keyword 'VI_2'
(vrrp.lvs_syncd.conf: Line 5) Unknown keyword 'VI_3'
(vrrp.lvs_syncd.conf: Line 11) (VI_1) Specifying lvs_sync_daemon_interface against a vrrp is deprecated.
(vrrp.lvs_syncd.conf: Line 11)         Please use global lvs_sync_daemon
(vrrp.lvs_syncd.conf: Line 39) WARNING - interface eth1 for vrrp_instance VI_3 doesn't exist
Non-existent interface specified in configuration
"#,
        5,
    ),
    (
        "vrrp.routes.conf",
        r#"! Configuration File for keepalived

global_defs {
   router_id LVS_DEVEL
}

static_routes {
    src 192.168.100.1 192.168.209.0/24 via 192.168.200.254 dev eth0
    192.168.210.0/24 via 192.168.200.254 dev eth0
    192.168.211.0/24 via 192.168.200.254 dev eth0
    192.168.212.0/24 dev eth3 scope site
    192.168.213.0/24 dev eth1 scope link
}

vrrp_instance VI_1 {
    state MASTER
    interface eth0
    virtual_router_id 51
    priority 100
    virtual_ipaddress {
        192.168.200.16
        192.168.200.17 dev eth1
        192.168.200.18 dev eth2
    }
    virtual_routes {
        src 192.168.100.1 192.168.109.0/24 via 192.168.200.254 dev eth1
        192.168.110.0/24 via 192.168.200.254 dev eth1
        192.168.111.0/24 dev eth2
        192.168.112.0/24 via 192.168.100.254
        192.168.113.0/24 via 192.168.100.252 or 192.168.100.253
	blackhole 192.168.113.1/32
        0.0.0.0/0 gw 192.168.0.1 table 100  # To set a default gateway into table 100.
    }
}
"#,
        r#"(vrrp.routes.conf: Line 11) WARNING - interface eth3 for VROUTE nexthop doesn't exist
(vrrp.routes.conf: Line 12) WARNING - interface eth1 for VROUTE nexthop doesn't exist
(vrrp.routes.conf: Line 22) WARNING - interface eth1 for ip address 192.168.200.17 doesn't exist
(vrrp.routes.conf: Line 23) WARNING - interface eth2 for ip address 192.168.200.18 doesn't exist
(vrrp.routes.conf: Line 26) WARNING - interface eth1 for VROUTE nexthop doesn't exist
(vrrp.routes.conf: Line 27) WARNING - interface eth1 for VROUTE nexthop doesn't exist
(vrrp.routes.conf: Line 28) WARNING - interface eth2 for VROUTE nexthop doesn't exist
(vrrp.routes.conf: Line 29) Warning - cannot track route 192.168.112.0/24 with no interface specified, not tracking
(vrrp.routes.conf: Line 30) "or" for routes is deprecated. Please use "nexthop"
(vrrp.routes.conf: Line 30) Warning - cannot track route 192.168.113.0/24 with no interface specified, not tracking
(vrrp.routes.conf: Line 31) Warning - cannot track route 192.168.113.1/32 with no interface specified, not tracking
(vrrp.routes.conf: Line 32) "gw" for routes is deprecated. Please use "via"
(vrrp.routes.conf: Line 32) Warning - cannot track route 0.0.0.0/0 with no interface specified, not tracking
Non-existent interface specified in configuration
"#,
        5,
    ),
    (
        "vrrp.rules.conf",
        r#"! Configuration File for keepalived
! This example demonstrates static_rules and virtual_rules, components of IP
! Tables configuration.

global_defs {
   router_id LVS_DEVEL
}

static_rules {
    from 192.168.100.0/24 table 1
    to 192.168.100./24 table 1
}

vrrp_instance VI_1 {
    state MASTER
    interface eth0
    virtual_router_id 51
    priority 100
    virtual_ipaddress {
        192.168.200.16
        192.168.200.17 dev eth1
        192.168.200.18 dev eth2
    }
    virtual_rules {
        from 192.168.200.0/24 table 2
        to 192.168.200./24 table 2
    }
}
"#,
        r#"(vrrp.rules.conf: Line 10) Rule has no preference specified - setting to 16384. This is probably not what you want.
(vrrp.rules.conf: Line 11) VRRP parsed invalid IP 192.168.100./24. skipping IP...
(vrrp.rules.conf: Line 11) Invalid rule to address 192.168.100./24
(vrrp.rules.conf: Line 21) WARNING - interface eth1 for ip address 192.168.200.17 doesn't exist
(vrrp.rules.conf: Line 22) WARNING - interface eth2 for ip address 192.168.200.18 doesn't exist
(vrrp.rules.conf: Line 25) Rule has no preference specified - setting to 16383. This is probably not what you want.
(vrrp.rules.conf: Line 26) VRRP parsed invalid IP 192.168.200./24. skipping IP...
(vrrp.rules.conf: Line 26) Invalid rule to address 192.168.200./24
Non-existent interface specified in configuration
"#,
        5,
    ),
    (
        "vrrp.scripts.conf",
        r#"! Configuration File for keepalived
! extra script call demonstration
! scripts are supported in Instance and groups
! declarations.

vrrp_sync_group G1 {
  group {
    VI_2
    VI_3
  }
  notify_backup "/usr/local/bin/vrrp.back arg1 arg2"
  notify_master "/usr/local/bin/vrrp.mast arg1 arg2"
  notify_fault "/usr/local/bin/vrrp.fault arg1 arg2"
}

vrrp_instance VI_1 {
    state MASTER
    interface eth0
    smtp_alert
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
    notify_backup "/usr/local/bin/vrrp.sh  BACKUP   VI_1"
    notify_master "/usr/local/bin/vrrp.sh  MASTER  VI_1"
    notify_fault  "/usr/local/bin/vrrp.sh  FAULT  VI_1"
}


vrrp_instance VI_2 {
    interface eth0
    state MASTER
    virtual_router_id 52
    priority 150
    virtual_ipaddress {
        192.168.200.100/27
    }
}

vrrp_instance VI_3 {
    interface eth0
    state MASTER
    virtual_router_id 53
    priority 150
    virtual_ipaddress {
        192.168.200.101/27
    }
}

"#,
        r#""#,
        0,
    ),
    (
        "vrrp.static_ipaddress.conf",
        r#"! Configuration File for keepalived

global_defs {
   router_id LVS_DEVEL
}

static_ipaddress {
    192.168.200.16 dev eth0 scope link
    192.168.200.17 dev eth1 scope link
    192.168.200.18 dev eth2
}

vrrp_instance VI_1 {
    state MASTER
    interface eth0
    virtual_router_id 51
    priority 100
    virtual_ipaddress {
        192.168.200.20
    }
    virtual_routes {
        src 192.168.100.1 192.168.109.0/24 via 192.168.200.254 dev eth1
        192.168.110.0/24 via 192.168.200.254 dev eth1
        192.168.111.0/24 dev eth2
        192.168.112.0/24 via 192.168.100.254
    }
}
"#,
        r#"(vrrp.static_ipaddress.conf: Line 9) WARNING - interface eth1 for ip address 192.168.200.17 doesn't exist
(vrrp.static_ipaddress.conf: Line 10) WARNING - interface eth2 for ip address 192.168.200.18 doesn't exist
(vrrp.static_ipaddress.conf: Line 22) WARNING - interface eth1 for VROUTE nexthop doesn't exist
(vrrp.static_ipaddress.conf: Line 23) WARNING - interface eth1 for VROUTE nexthop doesn't exist
(vrrp.static_ipaddress.conf: Line 24) WARNING - interface eth2 for VROUTE nexthop doesn't exist
(vrrp.static_ipaddress.conf: Line 25) Warning - cannot track route 192.168.112.0/24 with no interface specified, not tracking
Non-existent interface specified in configuration
"#,
        5,
    ),
    (
        "vrrp.sync.conf",
        r#"! Configuration File for keepalived

vrrp_sync_group G1 {
  group {
    VI_1
    VI_2
    VI_5
    VI_6
    VI_7
    VI_8
    VI_9
  }
  notify_backup "/usr/local/bin/vrrp.back arg1 arg2"
  notify_master "/usr/local/bin/vrrp.mast arg1 arg2"
  notify_fault "/usr/local/bin/vrrp.fault arg1 arg2"
}

vrrp_sync_group G2 {
  group {
    VI_3
    VI_4
  }
}

vrrp_instance VI_1 {
    interface eth0
    state MASTER
    virtual_router_id 51
    priority 100
    virtual_ipaddress {
        192.168.200.18/25
    }
}

vrrp_instance VI_2 {
    interface eth1
    state MASTER
    virtual_router_id 52
    priority 100
    virtual_ipaddress {
        192.168.201.18/26
    }
}

vrrp_instance VI_3 {
    interface eth0
    virtual_router_id 53
    priority 100
    virtual_ipaddress {
        192.168.200.19/27
    }
}

vrrp_instance VI_4 {
    interface eth1
    virtual_router_id 54
    priority 100
    virtual_ipaddress {
        192.168.201.19/28
    }
}

vrrp_instance VI_5 {
    state MASTER
    interface eth0
    virtual_router_id 55
    priority 100
    virtual_ipaddress {
        192.168.200.20/27
    }
}

vrrp_instance VI_6 {
    state MASTER
    interface eth0
    virtual_router_id 56
    priority 100
    virtual_ipaddress {
        192.168.200.21/27
    }
}

vrrp_instance VI_7 {
    state MASTER
    interface eth0
    virtual_router_id 57
    priority 100
    virtual_ipaddress {
        192.168.200.22/27
    }
}

vrrp_instance VI_8 {
    state MASTER
    interface eth0
    virtual_router_id 58
    priority 100
    virtual_ipaddress {
        192.168.200.23/27
    }
}

vrrp_instance VI_9 {
    state MASTER
    interface eth0
    virtual_router_id 59
    priority 100
    virtual_ipaddress {
        192.168.200.24/27
    }
}
"#,
        r#"(vrrp.sync.conf: Line 36) WARNING - interface eth1 for vrrp_instance VI_2 doesn't exist
(vrrp.sync.conf: Line 55) WARNING - interface eth1 for vrrp_instance VI_4 doesn't exist
Non-existent interface specified in configuration
"#,
        5,
    ),
    (
        "n1.conf",
        r#"global_defs {
   router_id nginx_01
   script_user root
   enable_script_security
}
vrrp_script chk_nginx {
    script "/usr/bin/pgrep nginx"
    interval 2
    weight -5
    fall 3
    rise 2
}
vrrp_instance VI_1 {
    state MASTER
    interface eth0
    mcast_src_ip 10.0.0.5
    virtual_router_id 51
    priority 101
    nopreempt
    advert_int 1
    authentication {
        auth_type PASS
        auth_pass 1111
    }
    virtual_ipaddress {
        10.0.0.100/24 dev eth0 label eth0:1
    }
    track_script {
       chk_nginx
    }
    notify_master "/etc/keepalived/notify.sh master"
    notify_backup "/etc/keepalived/notify.sh backup"
    notify_fault "/etc/keepalived/notify.sh fault"
}
"#,
        r#"(VI_1) Warning - nopreempt will not work with initial state MASTER - clearing
"#,
        5,
    ),
    (
        "n2.conf",
        r#"vrrp_instance VI_1 {
    state MASTER
    interface eth0
    virtual_router_id 51
    priority 100
    advert_int 1
    unicast_src_ip 10.0.0.1
    unicast_peer {
        10.0.0.2
        10.0.0.1
    }
    virtual_ipaddress {
        10.0.0.100
    }
    virtual_ipaddress_excluded {
        10.0.0.100
    }
}
vrrp_instance VI_2 {
    state BACKUP
    interface eth0
    virtual_router_id 52
    priority 100
    virtual_ipaddress {
        10.0.0.100
    }
}
"#,
        r#""#,
        0,
    ),
    (
        "n3.conf",
        r#"global_defs {
 vrrp_strict
}
vrrp_instance V {
 state MASTER
 interface eth0
 virtual_router_id 51
 priority 255
 nopreempt
 preempt_delay 5
 advert_int 1.5
 authentication {
 auth_type PASS
 auth_pass 1
 }
 unicast_src_ip 10.0.0.1
 virtual_ipaddress {
 10.0.0.100
 }
 track_interface {
 eth0
 }
}
vrrp_instance W {
 state MASTER
 interface eth0
 virtual_router_id 52
 priority 100
 nopreempt
 preempt_delay 5
 virtual_ipaddress {
 10.0.0.101
 }
}
"#,
        r#"(V) Strict mode does not support authentication. Ignoring.
(V) A unicast keyword has been specified without any unicast peers. Defaulting to multicast. This usage is deprecated - please update your configuration.
(V) nopreempt is incompatible with priority 255. resetting nopreempt
(V) Warning - preempt delay will not work with initial state MASTER - clearing
(V) VRRPv2 advertisement interval 1.500000s must be an integer. rounding
(V) Ignoring track_interface eth0 since own interface
(W) State MASTER must match being address owner
(W) preempt_delay is incompatible with strict mode - resetting
(W) preempt_delay is incompatible with nopreempt mode - resetting
"#,
        5,
    ),
    (
        "lv1.conf",
        r#"global_defs {
  router_id LVS1
  lvs_sync_daemon eth0 VI_1
}
virtual_server_group WEB {
  10.0.0.10 80
  10.0.0.20-30 80
  fwmark 5
}
virtual_server group WEB {
  delay_loop 3
  lb_algo wrr
  lb_kind DR
  protocol TCP
  persistence_timeout 300
  persistence_granularity 255.255.255.0
  ha_suspend
  alpha
  omega
  quorum 2
  hysteresis 1
  quorum_up "/bin/true"
  sorry_server 10.0.0.99 80
  sorry_server_inhibit
  real_server 10.0.1.1 80 {
    weight 100
    inhibit_on_failure
    notify_up "/bin/true up"
    notify_down "/bin/true down"
    HTTP_GET {
      url {
        path /health
        status_code 200
        status_code 200-299 301
      }
      url {
        path /x
        digest 0123456789abcdef0123456789abcdef
      }
      connect_port 8080
      connect_timeout 3
      nb_get_retry 3
      delay_before_retry 2
    }
  }
  real_server 10.0.1.2 80 {
    weight 100
    SSL_GET {
      url {
        path /
        status_code 200
      }
      connect_timeout 3
    }
    TCP_CHECK {
      connect_port 80
    }
  }
  real_server 10.0.1.3 80 {
    DNS_CHECK {
      type A
      name example.com
    }
    SMTP_CHECK {
      helo_name x
    }
    PING_CHECK {
    }
    UDP_CHECK {
      payload 00aa
    }
  }
}
"#,
        r#"(lv1.conf: Line 42) nb_get_retry is deprecated - please use 'retry'
Virtual server [WEB]:0: cannot use ha_suspend with fwmarks - clearing ha_suspend
WARNING - fwmark virtual server [WEB]:0, real server [10.0.1.1]:tcp:80 has port specified - port will be ignored
WARNING - fwmark virtual server [WEB]:0, real server [10.0.1.2]:tcp:80 has port specified - port will be ignored
WARNING - fwmark virtual server [WEB]:0, real server [10.0.1.3]:tcp:80 has port specified - port will be ignored
WARNING - fwmark virtual server [WEB]:0, sorry server has port specified - port will be ignored
SECURITY VIOLATION - check scripts are being executed but script_security not enabled.
"#,
        6,
    ),
    (
        "fz1.conf",
        r#"global_defs rp_priority  
}"#,
        r#"(Line 1) Extra '}' found
(Line 1) Missing '{' at beginning of configuration block
(fz1.conf: Line 2) Extra '}' found
(fz1.conf: Line 2) Unknown keyword '}'
(fz1.conf: Line 2) Extra '}' found
(fz1.conf: Line 2) Unknown keyword '}'
(fz1.conf: Line 2) Extra '}' found
(fz1.conf: Line 2) Unknown keyword '}'
"#,
        5,
    ),
    (
        "sg1.conf",
        r#"vrrp_sync_group G1 {
 group {
 A
 B
 NOPE
 }
}
vrrp_sync_group G2 {
 group {
 A
 C
 }
}
vrrp_sync_group G3 {
}
vrrp_instance A {
 interface eth0
 virtual_router_id 1
 virtual_ipaddress {
 10.0.0.1
 }
}
vrrp_instance B {
 interface eth0
 virtual_router_id 2
 virtual_ipaddress {
 10.0.0.2
 }
}
vrrp_instance C {
 interface eth0
 virtual_router_id 3
 virtual_ipaddress {
 10.0.0.3
 }
}
"#,
        r#"Virtual router NOPE specified in sync group G1 doesn't exist - ignoring
Virtual router A cannot exist in more than one sync group; ignoring G2
Sync group G2 has only 1 virtual router(s) - this probably isn't what you want
Sync group G3 has no virtual router(s). removing
"#,
        5,
    ),
    (
        "sg2.conf",
        r#"vrrp_sync_group G1 {
 group {
 A
 NOPE
 }
}
vrrp_instance A {
 interface eth0
 virtual_router_id 1
 advert_int 1.5
}
"#,
        r#"Virtual router NOPE specified in sync group G1 doesn't exist - ignoring
Sync group G1 has only 1 virtual router(s) - this probably isn't what you want
(A) No VIP specified; at least one is sensible
(A) VRRPv2 advertisement interval 1.500000s must be an integer. rounding
(A) No VIP specified; at least one is sensible
"#,
        5,
    ),
    (
        "df1.conf",
        r#"1.5"#,
        r#"Unknown keyword '1.5'
(df1.conf: Line 1) Unknown keyword '1.5'
(df1.conf: Line 1) Unknown keyword '1.5'
(df1.conf: Line 1) Unknown keyword '1.5'
"#,
        5,
    ),
    (
        "df10.conf",
        r#"global_defs {
 vrrp_rt_priority# 0
}
"#,
        r#"(Line 2) No vrrp process real-time priority specified
"#,
        5,
    ),
    (
        "df11.conf",
        r#"# Exercises: several `vrrp_script` blocks (interval, timeout, weight +/-, rise, fall,
# user, init_fail) with commands found in PATH or at standard absolute paths (no
# repository path, so the check passes on any clone), tracked with and without a
# weight override; script security enabled with `script_user root`. Needs `eth0`.
global_defs {
    script_use-1r root
    enable_script_security
}

vrrp_script chk_haproxy {
    script "/usr/bin/killall -0 haproxy"
    interval 2
    timeout 3
    weight 20
    rise 2
    fall 3
}

vrrp_script chk_true {
    script "/bin/true"
    interval 5
    weight -10
    user root
}

vrrp_script chk_pidof {
    cript "pidof keepalived"
    interval 10
    init_fail
}

vrrp_instance VI_1 {
    state MASTER
    interface eth0
    virtual_router_id 81
    priority 100
    advert_int 1
    virtual_ipaddress {
        192.168.200.81/24
    }
    track_script {
        chk_haproxy
        chk_true weight 5
        chidof
    }
}
"#,
        r#"(Line 6) Unknown keyword 'script_use-1r'
(df11.conf: Line 17) Unable to set default user keepalived_script for script
(df11.conf: Line 17) Unable to set default user for vrrp script chk_haproxy - removing
(df11.conf: Line 27) Unknown keyword 'cript'
(df11.conf: Line 30) No script set for vrrp_script chk_pidof - removing
(df11.conf: Line 42) (VI_1) track script chk_haproxy not found, ignoring...
(df11.conf: Line 44) (VI_1) track script chidof not found, ignoring...
"#,
        5,
    ),
    (
        "df12.conf",
        r#"# Exercises: `HTTP_GET` and `SSL_GET` checkeabcrs with several `url` blocks (path,
# status_code, digest), `connect_timeout`, `nb_get_retry`-era `retry`, `inhibit_on_failure`,
# `lb_kind DR` with `lb_algo lc`. No VRRP: interface-independent.
virtual_server 192.168.200.100 80 {
    delay_loop 10
    lb_algo lc
    lb_kind DR
    protocol TCP

    real_ser"ver 192.168.201.10 80 {
        weight 1
        inhibit_on_failure
        HTTP_GET {
            url {
                path /health
                status_code 200
            }
            url {
                path /index.html
                digest 9b3a0c85a887a256d6939da88aabd8cd
            }
            connect_timeout 5
            retry 3
            delay_before_retry 3
        }
    }
    real_server 192.168.201.11 80 {
        weight 1
        SSL_GET {
            connect_port 443
            url {
                path /health
                status_code 200
            }
            connect_timeout 5
        }
    }
}
"#,
        r#"(Line 10) Unterminated quote 'real_ser"ver 192.168.201.10 80 {'
(Line 10) Unmatched quote: 'real_ser"ver 192.168.201.10 80 {'
(Line 27) Unknown keyword 'real_server'
(Line 27) Unexpected '{' - ignoring
(Line 28) Unknown keyword 'weight'
(Line 29) Unknown keyword 'SSL_GET'
(Line 29) Unexpected '{' - ignoring
(Line 30) Unknown keyword 'connect_port'
(Line 31) Unknown keyword 'url'
(Line 31) Unexpected '{' - ignoring
(Line 32) Unknown keyword 'path'
(Line 33) Unknown keyword 'status_code'
(Line 34) Unknown keyword '}'
(Line 35) Unknown keyword 'connect_timeout'
(Line 36) Unknown keyword '}'
(Line 37) Unknown keyword '}'
(Line 38) Extra '}' found
(Line 38) Unknown keyword '}'
(df12.conf: Line 10) Unterminated quote 'real_ser"ver 192.168.201.10 80 {'
(df12.conf: Line 10) Unmatched quote: 'real_ser"ver 192.168.201.10 80 {'
(df12.conf: Line 10) Unknown keyword 'real_ser'
(df12.conf: Line 13) Unknown keyword 'HTTP_GET'
(df12.conf: Line 13) Unexpected '{' - ignoring
(df12.conf: Line 14) Unknown keyword 'url'
(df12.conf: Line 14) Unexpected '{' - ignoring
(df12.conf: Line 15) Unknown keyword 'path'
(df12.conf: Line 16) Unknown keyword 'status_code'
(df12.conf: Line 18) Unknown keyword 'url'
(df12.conf: Line 18) Unexpected '{' - ignoring
(df12.conf: Line 19) Unknown keyword 'path'
(df12.conf: Line 20) Unknown keyword 'digest'
(df12.conf: Line 21) Unknown keyword '}'
(df12.conf: Line 22) Unknown keyword 'connect_timeout'
(df12.conf: Line 23) Unknown keyword 'retry'
(df12.conf: Line 24) Unknown keyword 'delay_before_retry'
(df12.conf: Line 25) Unknown keyword '}'
(df12.conf: Line 26) Unknown keyword '}'
(df12.conf: Line 27) Unknown keyword 'real_server'
(df12.conf: Line 27) Unexpected '{' - ignoring
(df12.conf: Line 28) Unknown keyword 'weight'
(df12.conf: Line 29) Unknown keyword 'SSL_GET'
(df12.conf: Line 29) Unexpected '{' - ignoring
(df12.conf: Line 30) Unknown keyword 'connect_port'
(df12.conf: Line 31) Unknown keyword 'url'
(df12.conf: Line 31) Unexpected '{' - ignoring
(df12.conf: Line 32) Unknown keyword 'path'
(df12.conf: Line 33) Unknown keyword 'status_code'
(df12.conf: Line 34) Unknown keyword '}'
(df12.conf: Line 35) Unknown keyword 'connect_timeout'
(df12.conf: Line 36) Unknown keyword '}'
(df12.conf: Line 37) Unknown keyword '}'
(df12.conf: Line 38) Extra '}' found
(df12.conf: Line 38) Unknown keyword '}'
Virtual server [192.168.200.100]:tcp:80 has no real servers - ignoring
(df12.conf: Line 10) Unterminated quote 'real_ser"ver 192.168.201.10 80 {'
(df12.conf: Line 10) Unmatched quote: 'real_ser"ver 192.168.201.10 80 {'
(df12.conf: Line 27) Unknown keyword 'real_server'
(df12.conf: Line 27) Unexpected '{' - ignoring
(df12.conf: Line 28) Unknown keyword 'weight'
(df12.conf: Line 29) Unknown keyword 'SSL_GET'
(df12.conf: Line 29) Unexpected '{' - ignoring
(df12.conf: Line 30) Unknown keyword 'connect_port'
(df12.conf: Line 31) Unknown keyword 'url'
(df12.conf: Line 31) Unexpected '{' - ignoring
(df12.conf: Line 32) Unknown keyword 'path'
(df12.conf: Line 33) Unknown keyword 'status_code'
(df12.conf: Line 34) Unknown keyword '}'
(df12.conf: Line 35) Unknown keyword 'connect_timeout'
(df12.conf: Line 36) Unknown keyword '}'
(df12.conf: Line 37) Unknown keyword '}'
(df12.conf: Line 38) Extra '}' found
(df12.conf: Line 38) Unknown keyword '}'
(df12.conf: Line 10) Unterminated quote 'real_ser"ver 192.168.201.10 80 {'
(df12.conf: Line 10) Unmatched quote: 'real_ser"ver 192.168.201.10 80 {'
(df12.conf: Line 27) Unknown keyword 'real_server'
(df12.conf: Line 27) Unexpected '{' - ignoring
(df12.conf: Line 28) Unknown keyword 'weight'
(df12.conf: Line 29) Unknown keyword 'SSL_GET'
(df12.conf: Line 29) Unexpected '{' - ignoring
(df12.conf: Line 30) Unknown keyword 'connect_port'
(df12.conf: Line 31) Unknown keyword 'url'
(df12.conf: Line 31) Unexpected '{' - ignoring
(df12.conf: Line 32) Unknown keyword 'path'
(df12.conf: Line 33) Unknown keyword 'status_code'
(df12.conf: Line 34) Unknown keyword '}'
(df12.conf: Line 35) Unknown keyword 'connect_timeout'
(df12.conf: Line 36) Unknown keyword '}'
(df12.conf: Line 37) Unknown keyword '}'
(df12.conf: Line 38) Extra '}' found
(df12.conf: Line 38) Unknown keyword '}'
"#,
        5,
    ),
    (
        "df13.conf",
        r#"vrrp_instance V {
 interface eth0
 virtual_router_id 3
 virtual_ipaddress {
 10.0.0.1
 }
}
vrrp_instance W {
 irface eth0
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
        r#"(df13.conf: Line 9) Unknown keyword 'irface'
(W) Unknown interface!
"#,
        5,
    ),
    (
        "df14.conf",
        r#"global_defs {
 vrrp_strict
}
vrrp_instance V {
 state MASTER
 interface eth0
 virtual_router_id 51
 priority 255
 nopreempt
 preempt_delay 5
 advert_int 1.5
 authentication {
 auth_type PASS
 auth_pass 1
 }
 unicast_src_ip 10.0.0.1rtual_ipaddress {
 10.0.0.100
 }
 track_interface {
 eth0
 }
}
vrrp_instance W {
 state MASTER
 interface eth0
 virtual_router_id 52
 unicast_src_ip 10.0.0.1
 priority 100
 nopreempt
 preempt_delay 5
 virtual_ipaddress {
 10.0.0.101
 }
}
"#,
        r#"(df14.conf: Line 16) Configuration error: VRRP instance[V] malformed src address[10.0.0.1rtual_ipaddress]. Skipping...
(df14.conf: Line 16) Unexpected '{' - ignoring
(df14.conf: Line 17) Unknown keyword '10.0.0.100'
(df14.conf: Line 19) Unknown keyword 'track_interface'
(df14.conf: Line 19) Unexpected '{' - ignoring
(df14.conf: Line 20) Unknown keyword 'eth0'
(df14.conf: Line 21) Unknown keyword '}'
(df14.conf: Line 22) Unknown keyword '}'
(V) No VIP specified; at least one is required
"#,
        5,
    ),
    (
        "df15.conf",
        r#"! Configuration File for keepalived

global_defs {
   router_id LVS_DEVEL
}

static_routes {
    192.168.210.0/24 via 192.168.200.254 dev eth0
        192.168.200.16
    192.168.211.0/24 via 192.168.200.254 dev eth0
    192.168.212.0/24 dev eth3
    192.168.213.0/24 dev eth1
}

vrrp_instance VI_1 {
    state MASTER
    interface eth0.1		# Vlaned interface
    track_interface {		# Interface state we monitor
      eth0
      eth1
    }
    virtual_router_id 51
    priority 100
    virtual_ipaddress {
        192.168.200.16
        192.168.200.17 dev eth1
        192.168.200.18 dev eth2
    }
    virtual_routes {
        192.168.110.0/24 via 192.168.200.254 dev eth1
        192.168.111.0/24 dev eth2
        192.168.112.0/24 via 192.168.100.254
    }
}
"#,
        r#"(df15.conf: Line 9) Warning - cannot track route 192.168.200.16 with no interface specified, not tracking
(df15.conf: Line 11) WARNING - interface eth3 for VROUTE nexthop doesn't exist
(df15.conf: Line 12) WARNING - interface eth1 for VROUTE nexthop doesn't exist
(df15.conf: Line 17) WARNING - interface eth0.1 for vrrp_instance VI_1 doesn't exist
(df15.conf: Line 20) (VI_1) tracked interface eth1 doesn't exist
(df15.conf: Line 26) WARNING - interface eth1 for ip address 192.168.200.17 doesn't exist
(df15.conf: Line 27) WARNING - interface eth2 for ip address 192.168.200.18 doesn't exist
(df15.conf: Line 30) WARNING - interface eth1 for VROUTE nexthop doesn't exist
(df15.conf: Line 31) WARNING - interface eth2 for VROUTE nexthop doesn't exist
(df15.conf: Line 32) Warning - cannot track route 192.168.112.0/24 with no interface specified, not tracking
Non-existent interface specified in configuration
"#,
        5,
    ),
    (
        "df2.conf",
        r#"vrrp_sync_group G1 {
 group {
 A
 B
 NO}
}
vrrp_sync_group G2 {
 group {
 A
 C
 }
}
vrrp_sync_group G3 {
}
vrrp_instance A {
 interface eth0
 virtual_router_id 1
 virtual_ipaddress {
 10.0.0.1
 }
}
vrrp_instance B {
 interface eth0
 virtual_router_id 2
 virtual_ipaddress {
 10.0.0.2
 }
}
$Xvrrp_instance C {
 interface eth0
 virtual_router_id 3
 virtual_ipaddress {
 10.0.0.3
 }
}
"#,
        r#"(Line 29) Unknown keyword '$Xvrrp_instance'
(Line 29) Unexpected '{' - ignoring
(Line 30) Unknown keyword 'interface'
(Line 31) Unknown keyword 'virtual_router_id'
(Line 32) Unknown keyword 'virtual_ipaddress'
(Line 32) Unexpected '{' - ignoring
(Line 33) Unknown keyword '10.0.0.3'
(Line 34) Unknown keyword '}'
(Line 35) Unknown keyword '}'
(df2.conf: Line 29) Unknown keyword '$Xvrrp_instance'
(df2.conf: Line 29) Unexpected '{' - ignoring
(df2.conf: Line 30) Unknown keyword 'interface'
(df2.conf: Line 31) Unknown keyword 'virtual_router_id'
(df2.conf: Line 32) Unknown keyword 'virtual_ipaddress'
(df2.conf: Line 32) Unexpected '{' - ignoring
(df2.conf: Line 33) Unknown keyword '10.0.0.3'
(df2.conf: Line 34) Unknown keyword '}'
(df2.conf: Line 35) Unknown keyword '}'
(df2.conf: Line 29) Unknown keyword '$Xvrrp_instance'
(df2.conf: Line 29) Unexpected '{' - ignoring
(df2.conf: Line 30) Unknown keyword 'interface'
(df2.conf: Line 31) Unknown keyword 'virtual_router_id'
(df2.conf: Line 32) Unknown keyword 'virtual_ipaddress'
(df2.conf: Line 32) Unexpected '{' - ignoring
(df2.conf: Line 33) Unknown keyword '10.0.0.3'
(df2.conf: Line 34) Unknown keyword '}'
(df2.conf: Line 35) Unknown keyword '}'
Virtual router NO specified in sync group G1 doesn't exist - ignoring
Virtual router A cannot exist in more than one sync group; ignoring G2
Virtual router C specified in sync group G2 doesn't exist - ignoring
Sync group G2, no matching virtual router found in group declaration - removing
Sync group G3 has no virtual router(s). removing
(df2.conf: Line 29) Unknown keyword '$Xvrrp_instance'
(df2.conf: Line 29) Unexpected '{' - ignoring
(df2.conf: Line 30) Unknown keyword 'interface'
(df2.conf: Line 31) Unknown keyword 'virtual_router_id'
(df2.conf: Line 32) Unknown keyword 'virtual_ipaddress'
(df2.conf: Line 32) Unexpected '{' - ignoring
(df2.conf: Line 33) Unknown keyword '10.0.0.3'
(df2.conf: Line 34) Unknown keyword '}'
(df2.conf: Line 35) Unknown keyword '}'
"#,
        5,
    ),
    (
        "df3.conf",
        r#"! Configuration File for keepalived

global_defs {
   router_id LVS_DEVEL
}

static_ipaddress {
    192.168.200.16 dev eth0 scope link
    192.168.200.17 dev eth1 scope link
    192.168.200.18 dev eth2
}

vrrp_instance VI_1 {
    state MASTER
    interface eth0
    virtual_router_id 51
    priority 100
    virtual_ipaddress {
        192.168.200.20
    }
    virtual_routes {
        src 192.168.100.1 192.168.109.0/24 via 192.16 dev nosuch8.200.254 dev eth1
        192.168.110.0/24 via 192.168.200.254 dev eth1
        192.168.111.0/24 dev eth2
        192.168.112.0/24 via 192.168.100.254
    }
}
"#,
        r#"(df3.conf: Line 9) WARNING - interface eth1 for ip address 192.168.200.17 doesn't exist
(df3.conf: Line 10) WARNING - interface eth2 for ip address 192.168.200.18 doesn't exist
(df3.conf: Line 22) VRRP parsed invalid IP 192.16. skipping IP...
(df3.conf: Line 22) invalid route via address 192.16
(df3.conf: Line 23) WARNING - interface eth1 for VROUTE nexthop doesn't exist
(df3.conf: Line 24) WARNING - interface eth2 for VROUTE nexthop doesn't exist
(df3.conf: Line 25) Warning - cannot track route 192.168.112.0/24 with no interface specified, not tracking
Non-existent interface specified in configuration
"#,
        5,
    ),
    (
        "df4.conf",
        r#"# Exercises: `authentication` with `auth_type AH` (IPSEC-AH) on a VRRPv2 instance.
# Needs `eth0`.
vrrp_instance VI_AH {
    state BACKUP
    interface    virtual_router_id 72
    priority 100
    authentication {
        auth_type AH
        auth_pass ahsecret
    }
    virtual_ipaddress {
        192.168.200.72/24
    }
}
"#,
        r#"(df4.conf: Line 5) Interface name 'virtual_router_id' too long - ignoring
(VI_AH) the virtual router id must be set
"#,
        5,
    ),
    (
        "df6.conf",
        r#"global_defs {
   router_id nginx_01
   script_user root
   enable_script_security
}
vrrp_script chk_nginx {
    script "/usr/bin/pgrep nginx"
    interval 2
    weight -5
    fall 3
    rise 2
}
vrrp_instance VI_1 {
    state MASTER
    interface eth0
    mcast_src_ip 10.0.0.5
    virtual_router_id 51
    priority 101
    nopreempt
    advert_int 1
    authentication {
        auth_type PASS
        auth_pass 1111
    }
    notify_fault "/etc/keepalived/notify.sh fault"
    virtual_ipaddress {
        10.0.0.100/24 dev eth0 label eth0:1
    }
    track_script {
       chk_nginx
    }
    notify_master "/etc/keepalived/notify.sh master"
    notify_backup "/etc/keepalived/notify.sh backup"
    notify_fault "/etc/keepalived/notify.sh fault"
}
"#,
        r#"(df6.conf: Line 34) (VI_1) notify_fault script already specified - ignoring /etc/keepalived/notify.sh fault
(VI_1) Warning - nopreempt will not work with initial state MASTER - clearing
"#,
        5,
    ),
    (
        "df7.conf",
        r#"! Configuration File for keepalived

global_defs {
   router_id LVS_DEVEL
}
static_ipaddress {

static_ipaddress {
    192.168.200.16 dev eth0 scope link
    192.168.200.17 dev eth1 scope link
    192.168.200.18 dev eth2
}

vrrp_instance VI_1 {
    state MASTER
    interface eth0
    virtua!l_router_id 51
    priority 100
    virtual_ipaddress {
        192.168.200.20
    }
    virtual_routes {
        src 192.168.100.1 192.168.109.0/24 via 192.168.200.254 dev eth1        192.168.110.0/24 via 192.168.200.254 dev eth1
        192.168.111.0/24 dev eth2
        192.168.112.0/24 via 192.168.100.254
    }
}
"#,
        r#"There are 1 missing '}'s or extra '{'s
There are 1 missing '}'s or extra '{'s
(df7.conf: Line 8) VRRP parsed invalid IP static_ipaddress. skipping IP...
(df7.conf: Line 8) VRRP parsed invalid IP {. skipping IP...
(df7.conf: Line 10) WARNING - interface eth1 for ip address 192.168.200.17 doesn't exist
(df7.conf: Line 11) WARNING - interface eth2 for ip address 192.168.200.18 doesn't exist
(df7.conf: Line 17) Unknown keyword 'virtua'
(df7.conf: Line 23) WARNING - interface eth1 for VROUTE nexthop doesn't exist
(df7.conf: Line 24) WARNING - interface eth2 for VROUTE nexthop doesn't exist
(df7.conf: Line 25) Warning - cannot track route 192.168.112.0/24 with no interface specified, not tracking
There are 1 missing '}'s or extra '{'s
Non-existent interface specified in configuration
There are 1 missing '}'s or extra '{'s
"#,
        5,
    ),
    (
        "df8.conf",
        r#"vrrp_instance V {
 interface eth0
 vial_router_id 3
 virtual_ipaddress {
 10.0.0.1
 }
}
vrrp_instance W {
 interface eth0
 val_router_id 3
 virtual_ipaddress {
 fd00::1
 }
}
vrrp_instance X {
 interf dev eth0ace eth0
 virtual_router_id 3
 virtual_ipaddress {
 10.0.0.2
 }
}
"#,
        r#"(df8.conf: Line 3) Unknown keyword 'vial_router_id'
(df8.conf: Line 10) Unknown keyword 'val_router_id'
(df8.conf: Line 16) Unknown keyword 'interf'
(V) the virtual router id must be set
"#,
        5,
    ),
    (
        "df9.conf",
        r#"global_defs {
  vrrp_strict
}
vrrp_instance VI_1 {
    state MASTER
  ace eth0
    virtual_router_id 51
    priority 255
    advert_int 1
    nopreempt
    }
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
        r#"(Line 12) Unknown keyword 'unicast_peer'
(Line 12) Unexpected '{' - ignoring
(Line 13) Unknown keyword '10.0.0.9'
(Line 14) Unknown keyword '}'
(Line 15) Unknown keyword 'virtual_ipaddress'
(Line 15) Unexpected '{' - ignoring
(Line 16) Unknown keyword '192.168.200.16'
(Line 17) Unknown keyword '}'
(Line 18) Unknown keyword 'virtual_ipaddress_excluded'
(Line 18) Unexpected '{' - ignoring
(Line 19) Unknown keyword '192.168.200.17'
(Line 20) Unknown keyword '}'
(Line 21) Extra '}' found
(Line 21) Unknown keyword '}'
(df9.conf: Line 12) Unknown keyword 'unicast_peer'
(df9.conf: Line 12) Unexpected '{' - ignoring
(df9.conf: Line 13) Unknown keyword '10.0.0.9'
(df9.conf: Line 14) Unknown keyword '}'
(df9.conf: Line 15) Unknown keyword 'virtual_ipaddress'
(df9.conf: Line 15) Unexpected '{' - ignoring
(df9.conf: Line 16) Unknown keyword '192.168.200.16'
(df9.conf: Line 17) Unknown keyword '}'
(df9.conf: Line 18) Unknown keyword 'virtual_ipaddress_excluded'
(df9.conf: Line 18) Unexpected '{' - ignoring
(df9.conf: Line 19) Unknown keyword '192.168.200.17'
(df9.conf: Line 20) Unknown keyword '}'
(df9.conf: Line 21) Extra '}' found
(df9.conf: Line 21) Unknown keyword '}'
(df9.conf: Line 6) Unknown keyword 'ace'
(df9.conf: Line 12) Unknown keyword 'unicast_peer'
(df9.conf: Line 12) Unexpected '{' - ignoring
(df9.conf: Line 13) Unknown keyword '10.0.0.9'
(df9.conf: Line 14) Unknown keyword '}'
(df9.conf: Line 15) Unknown keyword 'virtual_ipaddress'
(df9.conf: Line 15) Unexpected '{' - ignoring
(df9.conf: Line 16) Unknown keyword '192.168.200.16'
(df9.conf: Line 17) Unknown keyword '}'
(df9.conf: Line 18) Unknown keyword 'virtual_ipaddress_excluded'
(df9.conf: Line 18) Unexpected '{' - ignoring
(df9.conf: Line 19) Unknown keyword '192.168.200.17'
(df9.conf: Line 20) Unknown keyword '}'
(df9.conf: Line 21) Extra '}' found
(df9.conf: Line 21) Unknown keyword '}'
(VI_1) Unknown interface!
(df9.conf: Line 12) Unknown keyword 'unicast_peer'
(df9.conf: Line 12) Unexpected '{' - ignoring
(df9.conf: Line 13) Unknown keyword '10.0.0.9'
(df9.conf: Line 14) Unknown keyword '}'
(df9.conf: Line 15) Unknown keyword 'virtual_ipaddress'
(df9.conf: Line 15) Unexpected '{' - ignoring
(df9.conf: Line 16) Unknown keyword '192.168.200.16'
(df9.conf: Line 17) Unknown keyword '}'
(df9.conf: Line 18) Unknown keyword 'virtual_ipaddress_excluded'
(df9.conf: Line 18) Unexpected '{' - ignoring
(df9.conf: Line 19) Unknown keyword '192.168.200.17'
(df9.conf: Line 20) Unknown keyword '}'
(df9.conf: Line 21) Extra '}' found
(df9.conf: Line 21) Unknown keyword '}'
"#,
        5,
    ),
    (
        "dg10.conf",
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
      10.0.0$X=a.9
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
    virtual10.0.0.1/33_ipaddress {
        192.168.200.18
    }
}
"#,
        r#"(dg10.conf: Line 12) Configuration error: VRRP instance[VI_1] malformed unicast peer address[10.0.0$X=a.9]. Skipping...
(dg10.conf: Line 28) Unknown keyword 'virtual10.0.0.1/33_ipaddress'
(dg10.conf: Line 28) Unexpected '{' - ignoring
(dg10.conf: Line 29) Unknown keyword '192.168.200.18'
(dg10.conf: Line 31) Unknown keyword '}'
(VI_1) A unicast keyword has been specified without any unicast peers. Defaulting to multicast. This usage is deprecated - please update your configuration.
(VI_1) nopreempt is incompatible with priority 255. resetting nopreempt
(VI_2) No VIP specified; at least one is required
"#,
        5,
    ),
    (
        "dg12.conf",
        r#"virtual_server fwmark 1 {
 real_server 10.0.0.2 80 {
 }
}
virtual_server_group G {
 10.0.0.5 80
}
virtual_server group G real_server 10.0.0.2 80 {
 }
}
"#,
        r#"(Line 10) Extra '}' found
(Line 10) Unknown keyword '}'
(dg12.conf: Line 10) Extra '}' found
(dg12.conf: Line 10) Unknown keyword '}'
Virtual server FWM 1: no scheduler set, setting default 'wlc'
Virtual server FWM 1: no forwarding method set, setting default NAT
Virtual server [G]:0 has no real servers - ignoring
(dg12.conf: Line 10) Extra '}' found
(dg12.conf: Line 10) Unknown keyword '}'
(dg12.conf: Line 10) Extra '}' found
(dg12.conf: Line 10) Unknown keyword '}'
"#,
        5,
    ),
    (
        "dg13.conf",
        r#"! Configuration File for keepalived

global_defs {
   router_id LVS_DEVEL
}

static_routes {
    192.168.210.0/24 via 192.168.200.254 dev eth0
        192.168.200.16
    192.168.211.0/24 via 192.168.200.254 dev eth0
    192.168.212.0/24 dev eth3
    192.168.213.0/24 dev eth1
}

vrrp_instance VI_1 {
    state MASTER
    interface eth0.1		# Vlaned interface
    track_interface {		# Interface state we monitor
      eth0
      eth1
    }
    virtual_router_id 51
    priority 100
    virtual_ipaddress {
        192.168.200.16
        192.168.200.17 dev eth1
        192.168.200.18 dev eth2
    }
    virtual_routes {
        192.168.110.04 via 192.168.200.254 dev eth1
        192.168.111.0/24 dev eth2
        192.168.112.0/24 via 192.168.100.254
    }
}
"#,
        r#"(dg13.conf: Line 9) Warning - cannot track route 192.168.200.16 with no interface specified, not tracking
(dg13.conf: Line 11) WARNING - interface eth3 for VROUTE nexthop doesn't exist
(dg13.conf: Line 12) WARNING - interface eth1 for VROUTE nexthop doesn't exist
(dg13.conf: Line 17) WARNING - interface eth0.1 for vrrp_instance VI_1 doesn't exist
(dg13.conf: Line 20) (VI_1) tracked interface eth1 doesn't exist
(dg13.conf: Line 26) WARNING - interface eth1 for ip address 192.168.200.17 doesn't exist
(dg13.conf: Line 27) WARNING - interface eth2 for ip address 192.168.200.18 doesn't exist
(dg13.conf: Line 30) VRRP parsed invalid IP 192.168.110.04. skipping IP...
(dg13.conf: Line 30) unknown route keyword 192.168.110.04
(dg13.conf: Line 31) WARNING - interface eth2 for VROUTE nexthop doesn't exist
(dg13.conf: Line 32) Warning - cannot track route 192.168.112.0/24 with no interface specified, not tracking
Non-existent interface specified in configuration
"#,
        5,
    ),
    (
        "dg14.conf",
        r#"# Exercises: `HTTP_GET` and `SSL_GET` checkeabcrs with several `url` blocks (path,
# status_code, di label eth0:1gest), `connect_timeout`, `nb_get_retry`-era `retry`, `inhibit_on_failure`,
# `lb_kind DR` with `lb_algo lc`. No VRRP: interface-independent.
virtual_server 192.168.200.100 80 {
    delay_loop 10
    lb_algo lc
    lb_kind DR
    protocol TCP

    real_ser"ver 192.168.201.10 80 {
        weight 1
        inhibit_on_failure
        HTTP_GET {
            url {
                path /health
                status_code 200
            }
            url {
                path /index.html
                digest 9b3a0c85a887a256d6939da88aabd8cd
            }
            connect_timeout 5
            retry 3
            delay_before_retry 3
        }
    }
    real_server 192.168.201.11 80 {
        weight 1
        SSL_GET {
         connect_port 443
            url {
                path /health
                status_code 200
            }
            conneout 5
        }
    }
}
"#,
        r#"(Line 10) Unterminated quote 'real_ser"ver 192.168.201.10 80 {'
(Line 10) Unmatched quote: 'real_ser"ver 192.168.201.10 80 {'
(Line 27) Unknown keyword 'real_server'
(Line 27) Unexpected '{' - ignoring
(Line 28) Unknown keyword 'weight'
(Line 29) Unknown keyword 'SSL_GET'
(Line 29) Unexpected '{' - ignoring
(Line 30) Unknown keyword 'connect_port'
(Line 31) Unknown keyword 'url'
(Line 31) Unexpected '{' - ignoring
(Line 32) Unknown keyword 'path'
(Line 33) Unknown keyword 'status_code'
(Line 34) Unknown keyword '}'
(Line 35) Unknown keyword 'conneout'
(Line 36) Unknown keyword '}'
(Line 37) Unknown keyword '}'
(Line 38) Extra '}' found
(Line 38) Unknown keyword '}'
(dg14.conf: Line 10) Unterminated quote 'real_ser"ver 192.168.201.10 80 {'
(dg14.conf: Line 10) Unmatched quote: 'real_ser"ver 192.168.201.10 80 {'
(dg14.conf: Line 10) Unknown keyword 'real_ser'
(dg14.conf: Line 13) Unknown keyword 'HTTP_GET'
(dg14.conf: Line 13) Unexpected '{' - ignoring
(dg14.conf: Line 14) Unknown keyword 'url'
(dg14.conf: Line 14) Unexpected '{' - ignoring
(dg14.conf: Line 15) Unknown keyword 'path'
(dg14.conf: Line 16) Unknown keyword 'status_code'
(dg14.conf: Line 18) Unknown keyword 'url'
(dg14.conf: Line 18) Unexpected '{' - ignoring
(dg14.conf: Line 19) Unknown keyword 'path'
(dg14.conf: Line 20) Unknown keyword 'digest'
(dg14.conf: Line 21) Unknown keyword '}'
(dg14.conf: Line 22) Unknown keyword 'connect_timeout'
(dg14.conf: Line 23) Unknown keyword 'retry'
(dg14.conf: Line 24) Unknown keyword 'delay_before_retry'
(dg14.conf: Line 25) Unknown keyword '}'
(dg14.conf: Line 26) Unknown keyword '}'
(dg14.conf: Line 27) Unknown keyword 'real_server'
(dg14.conf: Line 27) Unexpected '{' - ignoring
(dg14.conf: Line 28) Unknown keyword 'weight'
(dg14.conf: Line 29) Unknown keyword 'SSL_GET'
(dg14.conf: Line 29) Unexpected '{' - ignoring
(dg14.conf: Line 30) Unknown keyword 'connect_port'
(dg14.conf: Line 31) Unknown keyword 'url'
(dg14.conf: Line 31) Unexpected '{' - ignoring
(dg14.conf: Line 32) Unknown keyword 'path'
(dg14.conf: Line 33) Unknown keyword 'status_code'
(dg14.conf: Line 34) Unknown keyword '}'
(dg14.conf: Line 35) Unknown keyword 'conneout'
(dg14.conf: Line 36) Unknown keyword '}'
(dg14.conf: Line 37) Unknown keyword '}'
(dg14.conf: Line 38) Extra '}' found
(dg14.conf: Line 38) Unknown keyword '}'
Virtual server [192.168.200.100]:tcp:80 has no real servers - ignoring
(dg14.conf: Line 10) Unterminated quote 'real_ser"ver 192.168.201.10 80 {'
(dg14.conf: Line 10) Unmatched quote: 'real_ser"ver 192.168.201.10 80 {'
(dg14.conf: Line 27) Unknown keyword 'real_server'
(dg14.conf: Line 27) Unexpected '{' - ignoring
(dg14.conf: Line 28) Unknown keyword 'weight'
(dg14.conf: Line 29) Unknown keyword 'SSL_GET'
(dg14.conf: Line 29) Unexpected '{' - ignoring
(dg14.conf: Line 30) Unknown keyword 'connect_port'
(dg14.conf: Line 31) Unknown keyword 'url'
(dg14.conf: Line 31) Unexpected '{' - ignoring
(dg14.conf: Line 32) Unknown keyword 'path'
(dg14.conf: Line 33) Unknown keyword 'status_code'
(dg14.conf: Line 34) Unknown keyword '}'
(dg14.conf: Line 35) Unknown keyword 'conneout'
(dg14.conf: Line 36) Unknown keyword '}'
(dg14.conf: Line 37) Unknown keyword '}'
(dg14.conf: Line 38) Extra '}' found
(dg14.conf: Line 38) Unknown keyword '}'
(dg14.conf: Line 10) Unterminated quote 'real_ser"ver 192.168.201.10 80 {'
(dg14.conf: Line 10) Unmatched quote: 'real_ser"ver 192.168.201.10 80 {'
(dg14.conf: Line 27) Unknown keyword 'real_server'
(dg14.conf: Line 27) Unexpected '{' - ignoring
(dg14.conf: Line 28) Unknown keyword 'weight'
(dg14.conf: Line 29) Unknown keyword 'SSL_GET'
(dg14.conf: Line 29) Unexpected '{' - ignoring
(dg14.conf: Line 30) Unknown keyword 'connect_port'
(dg14.conf: Line 31) Unknown keyword 'url'
(dg14.conf: Line 31) Unexpected '{' - ignoring
(dg14.conf: Line 32) Unknown keyword 'path'
(dg14.conf: Line 33) Unknown keyword 'status_code'
(dg14.conf: Line 34) Unknown keyword '}'
(dg14.conf: Line 35) Unknown keyword 'conneout'
(dg14.conf: Line 36) Unknown keyword '}'
(dg14.conf: Line 37) Unknown keyword '}'
(dg14.conf: Line 38) Extra '}' found
(dg14.conf: Line 38) Unknown keyword '}'
"#,
        5,
    ),
    (
        "dg15.conf",
        r#"! Configuration File for keepalived
! This example demonstrates MISC_CHECK, a component of LVS configuration.

global_defs {
   notification_email {
     acassen
   }
   notification_email_from Alexandre.Cassen@firewall.loc
   smtp_server 192.168.200.1
   smtp_connect_timeout 30
   router_id LVS_DEVEL
}

virtual_server 10.10.10.2 1358 {
    delay_loop 6
    lb_algo rr
    lb_kind NAT
    persistence_timeout 50
    protocol TCP

  server 192.168.200.6 1358 {
        weight 1
        MISC_CHECK {
          misc_path /usr/local/bin/script.sh
!         misc_dynamic
        }
    }

}

"#,
        r#"(dg15.conf: Line 21) Unknown keyword 'server'
(dg15.conf: Line 21) Unexpected '{' - ignoring
(dg15.conf: Line 23) Unknown keyword 'MISC_CHECK'
(dg15.conf: Line 23) Unexpected '{' - ignoring
(dg15.conf: Line 24) Unknown keyword 'misc_path'
(dg15.conf: Line 27) Unknown keyword '}'
(dg15.conf: Line 29) Unknown keyword '}'
Virtual server [10.10.10.2]:tcp:1358 has no real servers - ignoring
"#,
        5,
    ),
    (
        "dg2.conf",
        r#"virtual_server 10.0.0. brd 1.2.3.41 80 {
 real_server 10.0.0.3 80 {
  }
}
"#,
        r#"(dg2.conf: Line 1) invalid number 'brd'
(dg2.conf: Line 1) Invalid virtual server IP address/port 10.0.0./brd - skipping
"#,
        5,
    ),
    (
        "dg3.conf",
        r#"! Configuration File for keepalived

global_defs {
   router_id LVS_DEVEL
}

static_routes {
    192.168.210.0/24 via 192.168.200.254 dev eth0
        192.168.200.16
    192.168.211.0/24 via 192.168.200.25410.0.0.1/33 dev eth0
    192.168.212.0/24 dev eth3
    192.168.213.0/24 dev eth1
}

vrrp_instance VI_1 {
    state MASTER
    interface eth0.1		# Vlaned interface
    track_interface {		# Interface state we monitor
      eth0
      eth1
    }
    virtual_router_id 51
    priority 100
    virtual_ipaddress {
        192.168.200.16
        192.168.200.17 dev eth1
        192.168.200.18 
dev eth2
    }
    virtual_routes {
        19$X2.168.110.0/24 via 192.168.200.254 dev eth1
        192.168.111.0/24 dev eth2
        192.168.112.0/24 via 192.168.100.254
    }
}
"#,
        r#"(dg3.conf: Line 9) Warning - cannot track route 192.168.200.16 with no interface specified, not tracking
(dg3.conf: Line 10) VRRP parsed invalid IP 192.168.200.25410.0.0.1/33. skipping IP...
(dg3.conf: Line 10) invalid route via address 192.168.200.25410.0.0.1/33
(dg3.conf: Line 11) WARNING - interface eth3 for VROUTE nexthop doesn't exist
(dg3.conf: Line 12) WARNING - interface eth1 for VROUTE nexthop doesn't exist
(dg3.conf: Line 17) WARNING - interface eth0.1 for vrrp_instance VI_1 doesn't exist
(dg3.conf: Line 20) (VI_1) tracked interface eth1 doesn't exist
(dg3.conf: Line 26) WARNING - interface eth1 for ip address 192.168.200.17 doesn't exist
(dg3.conf: Line 28) VRRP parsed invalid IP dev. skipping IP...
(dg3.conf: Line 31) VRRP parsed invalid IP 19$X2.168.110.0/24. skipping IP...
(dg3.conf: Line 31) unknown route keyword 19$X2.168.110.0/24
(dg3.conf: Line 32) WARNING - interface eth2 for VROUTE nexthop doesn't exist
(dg3.conf: Line 33) Warning - cannot track route 192.168.112.0/24 with no interface specified, not tracking
Non-existent interface specified in configuration
"#,
        5,
    ),
    (
        "dg4.conf",
        r#"# Configuration File for keepalived

global_defs {
   router_id LVS_DEVEL
}

virtual_server_group IP{v6_group {
    ae00::2-9 80
    ae00::1   80
}

# virtual_server group IPv6_group {
virtual_server ae00::1 80 {
    delay_loop 6
    lb_algo rr
    lb_kind NAT
    persistence_timeout 50
    protocol TCP

#   real_server ae00::10 80 {
   router_id LVS_DEVEL
    real_server ae00::10 25 {
        weight 1

        SMTP_CHECK {
            connect_timeout 3
            retry 3
            helo_name "foo.bar.com"

#           host {
#               bindto ae00::2
#               connect_ip ae00::10
#               connect_port 25
#           }
        }

#       TCP_CHECK {
#          connect_port 80
#          bind_to ae00::2
#       }

#       HTTP_GET {
#           url {
#             path /ind.html
#             status_code 200
#           }
#           bindto ae00::2
#           connect_timeout 3
#           retry 3
#           delay_before_retry 3
#       }
    }
}
"#,
        r#"There are 1 missing '}'s or extra '{'s
(dg4.conf: Line 7) Invalid virtual server group IP address v6_group  - skipping
(dg4.conf: Line 7) Invalid virtual server group IP address {  - skipping
(dg4.conf: Line 21) Unknown keyword 'router_id'
There are 1 missing '}'s or extra '{'s
There are 1 missing '}'s or extra '{'s
There are 1 missing '}'s or extra '{'s
"#,
        5,
    ),
    (
        "dg5.conf",
        r#"! Configuration File for keepalived

global_defs {
   router_id LVS_DEVEL
}

static_routes {
    192.168.210.0/24 via 192.168.200.254 dev eth0
        192.168.200.16
    192.168.211.0/24 via 192.168.200.254 dev eth0
    192.168.212.0/24 dev eth3
    192.168.213.0/24 dev eth1
}

vrrp_instance VI_1 {
    state MASTER
    interface eth0.1		# Vlaned interface
    track_interface {		# Interface state we monitor
      eth0
      eth1
    }
    virtual_router_id 51
    priority 100
    virtual_ipaddress {
        192.168.200.16
weight        192.168.200.17 dev eth1
        192.168.200.18 dev eth2
    }
    virtual_routes {
        192.168.110.0/24 via 192.168.200.254 dev eth1
        192.168.1110.0.0.1/331.0/24 dev eth2
       $X=a 192.168.112.0/24 via 192.168.100.254
    }
}
"#,
        r#"(dg5.conf: Line 9) Warning - cannot track route 192.168.200.16 with no interface specified, not tracking
(dg5.conf: Line 11) WARNING - interface eth3 for VROUTE nexthop doesn't exist
(dg5.conf: Line 12) WARNING - interface eth1 for VROUTE nexthop doesn't exist
(dg5.conf: Line 17) WARNING - interface eth0.1 for vrrp_instance VI_1 doesn't exist
(dg5.conf: Line 20) (VI_1) tracked interface eth1 doesn't exist
(dg5.conf: Line 26) VRRP parsed invalid IP weight. skipping IP...
(dg5.conf: Line 27) WARNING - interface eth2 for ip address 192.168.200.18 doesn't exist
(dg5.conf: Line 30) WARNING - interface eth1 for VROUTE nexthop doesn't exist
(dg5.conf: Line 31) invalid number '331.0/24'
(dg5.conf: Line 31) Invalid address prefix len 331.0/24 for address 192.168.1110.0.0.1/331.0/24 - using 32
(dg5.conf: Line 31) VRRP parsed invalid IP 192.168.1110.0.0.1/331.0/24. skipping IP...
(dg5.conf: Line 31) unknown route keyword 192.168.1110.0.0.1/331.0/24
Non-existent interface specified in configuration
"#,
        5,
    ),
    (
        "dg6.conf",
        r#"! Configuration File for keepalived

global_defs {
   router_id LVS_DEVEL
}

static_ipaddress {
    192.168.200.16 dev eth0 scope link
    192.168.200.17 dev eth1 scope link
    192.168.200.18 dev eth2
}

vrrp_instance VI_1 {
    state MASTER
    interface eth0
    virtual_router_id 51
    priority 100
    virtual_ipaddress {
        192.168.200.20
    }
    virtual_routes {
        src 192.168.100.1 192.168.109.0/24 via 192.16 dev nosuch8.200.254 dev eth1
        192.168.110. dev eth00/24 via 192.168.200.254 dev eth1
        192.168.111.0/24 dev eth2
        192.168.112.0/24 via 192.154
    }
}
"#,
        r#"(dg6.conf: Line 9) WARNING - interface eth1 for ip address 192.168.200.17 doesn't exist
(dg6.conf: Line 10) WARNING - interface eth2 for ip address 192.168.200.18 doesn't exist
(dg6.conf: Line 22) VRRP parsed invalid IP 192.16. skipping IP...
(dg6.conf: Line 22) invalid route via address 192.16
(dg6.conf: Line 23) VRRP parsed invalid IP 192.168.110.. skipping IP...
(dg6.conf: Line 23) unknown route keyword 192.168.110.
(dg6.conf: Line 24) WARNING - interface eth2 for VROUTE nexthop doesn't exist
(dg6.conf: Line 25) VRRP parsed invalid IP 192.154. skipping IP...
(dg6.conf: Line 25) invalid route via address 192.154
Non-existent interface specified in configuration
"#,
        5,
    ),
    (
        "dg7.conf",
        r#"# Exercises: `HTTP_GET` and `SSL_GET` checkeabcrs with several `url` blocks (path,
# status_code, digest), `connect_timeout`, `nb_get_retry`-era `retry`, `inhibit_on_failure`,
# `lb_kind DR` with `lb_algo lc`. No VRRP: interface-independent.
virtual_server 192.168.200.100 80 {
    delay_loop 10
    lb_algo lc
    lb_kind DR
    protocol TCP

    real_ser"ver 192.168.201.10 80 {
        weight 1
        inhibit_on_failure
        HTT{P_GET {
            url {
                path /health
                status_code 200
            }
            url {
                path /index.html
                digest 9b3a0c85a887a256d6939da88aabd8cd
            }
            connect_timeout 5
            retry 3
            delay_before_retry 3
        }
    }
    real_server 192.168.201.11 80 {
        weight 1
        SSL_GET {
            connect_port 443
            url {
                path /health
                status_code 200
            }
            connect_timeout 5
        }
    }
}
"#,
        r#"(Line 10) Unterminated quote 'real_ser"ver 192.168.201.10 80 {'
(Line 10) Unmatched quote: 'real_ser"ver 192.168.201.10 80 {'
(dg7.conf: Line 10) Unterminated quote 'real_ser"ver 192.168.201.10 80 {'
(dg7.conf: Line 10) Unmatched quote: 'real_ser"ver 192.168.201.10 80 {'
(dg7.conf: Line 10) Unknown keyword 'real_ser'
(dg7.conf: Line 13) Unknown keyword 'HTT'
(dg7.conf: Line 13) Unexpected '{' - ignoring
(dg7.conf: Line 13) Unknown keyword 'P_GET'
(dg7.conf: Line 13) Unexpected '{' - ignoring
(dg7.conf: Line 14) Unknown keyword 'url'
(dg7.conf: Line 14) Unexpected '{' - ignoring
(dg7.conf: Line 15) Unknown keyword 'path'
(dg7.conf: Line 16) Unknown keyword 'status_code'
(dg7.conf: Line 18) Unknown keyword 'url'
(dg7.conf: Line 18) Unexpected '{' - ignoring
(dg7.conf: Line 19) Unknown keyword 'path'
(dg7.conf: Line 20) Unknown keyword 'digest'
(dg7.conf: Line 21) Unknown keyword '}'
(dg7.conf: Line 22) Unknown keyword 'connect_timeout'
(dg7.conf: Line 23) Unknown keyword 'retry'
(dg7.conf: Line 24) Unknown keyword 'delay_before_retry'
(dg7.conf: Line 25) Unknown keyword '}'
(dg7.conf: Line 26) Unknown keyword '}'
(dg7.conf: Line 27) Unknown keyword 'real_server'
(dg7.conf: Line 27) Unexpected '{' - ignoring
(dg7.conf: Line 28) Unknown keyword 'weight'
(dg7.conf: Line 29) Unknown keyword 'SSL_GET'
(dg7.conf: Line 29) Unexpected '{' - ignoring
(dg7.conf: Line 30) Unknown keyword 'connect_port'
(dg7.conf: Line 31) Unknown keyword 'url'
(dg7.conf: Line 31) Unexpected '{' - ignoring
(dg7.conf: Line 32) Unknown keyword 'path'
(dg7.conf: Line 33) Unknown keyword 'status_code'
(dg7.conf: Line 34) Unknown keyword '}'
(dg7.conf: Line 35) Unknown keyword 'connect_timeout'
(dg7.conf: Line 36) Unknown keyword '}'
(dg7.conf: Line 37) Unknown keyword '}'
(dg7.conf: Line 38) Unknown keyword '}'
Virtual server [192.168.200.100]:tcp:80 has no real servers - ignoring
(dg7.conf: Line 10) Unterminated quote 'real_ser"ver 192.168.201.10 80 {'
(dg7.conf: Line 10) Unmatched quote: 'real_ser"ver 192.168.201.10 80 {'
(dg7.conf: Line 10) Unterminated quote 'real_ser"ver 192.168.201.10 80 {'
(dg7.conf: Line 10) Unmatched quote: 'real_ser"ver 192.168.201.10 80 {'
"#,
        5,
    ),
    (
        "dg8.conf",
        r#"# Exercises: `HTTP_GET` and `SSL_GET` checkeabcrs with several `url` blocks (path,
# status_code, digest), `connect_timeout`, `nb_get_retry`-era `retry`, `inhibit_on_failure`,
# `lb_kind DR` with `lb_algo lc`. No VRRP: interface-independent.
virtual_server 192.168.200.100 80 {
    delay_loop 10
    lb_algo lc
    lb_kind DR
    protocol TCP

    real_ser"ver 192.168.201.10 80 {
        weight 1
        inhibit_on_failure
        HTTP_GET {
            url {
            path /health
                status_code 200
            }
            url {
                path /index.html
                digest 9b3a0c85a887a256d6939da88aabd8cd
            }
            connect_timeout 5
            retry 3
            delay_before_retry 3
        }
    }
    real_server 192.168.201.11 80 {
        weight 1
        SSL_GET {
            connect_port 443
            url {
                path /health
                status_code 200
            }
            connect_timeout 5
        }
    }
}
"#,
        r#"(Line 10) Unterminated quote 'real_ser"ver 192.168.201.10 80 {'
(Line 10) Unmatched quote: 'real_ser"ver 192.168.201.10 80 {'
(Line 27) Unknown keyword 'real_server'
(Line 27) Unexpected '{' - ignoring
(Line 28) Unknown keyword 'weight'
(Line 29) Unknown keyword 'SSL_GET'
(Line 29) Unexpected '{' - ignoring
(Line 30) Unknown keyword 'connect_port'
(Line 31) Unknown keyword 'url'
(Line 31) Unexpected '{' - ignoring
(Line 32) Unknown keyword 'path'
(Line 33) Unknown keyword 'status_code'
(Line 34) Unknown keyword '}'
(Line 35) Unknown keyword 'connect_timeout'
(Line 36) Unknown keyword '}'
(Line 37) Unknown keyword '}'
(Line 38) Extra '}' found
(Line 38) Unknown keyword '}'
(dg8.conf: Line 10) Unterminated quote 'real_ser"ver 192.168.201.10 80 {'
(dg8.conf: Line 10) Unmatched quote: 'real_ser"ver 192.168.201.10 80 {'
(dg8.conf: Line 10) Unknown keyword 'real_ser'
(dg8.conf: Line 13) Unknown keyword 'HTTP_GET'
(dg8.conf: Line 13) Unexpected '{' - ignoring
(dg8.conf: Line 14) Unknown keyword 'url'
(dg8.conf: Line 14) Unexpected '{' - ignoring
(dg8.conf: Line 15) Unknown keyword 'path'
(dg8.conf: Line 16) Unknown keyword 'status_code'
(dg8.conf: Line 18) Unknown keyword 'url'
(dg8.conf: Line 18) Unexpected '{' - ignoring
(dg8.conf: Line 19) Unknown keyword 'path'
(dg8.conf: Line 20) Unknown keyword 'digest'
(dg8.conf: Line 21) Unknown keyword '}'
(dg8.conf: Line 22) Unknown keyword 'connect_timeout'
(dg8.conf: Line 23) Unknown keyword 'retry'
(dg8.conf: Line 24) Unknown keyword 'delay_before_retry'
(dg8.conf: Line 25) Unknown keyword '}'
(dg8.conf: Line 26) Unknown keyword '}'
(dg8.conf: Line 27) Unknown keyword 'real_server'
(dg8.conf: Line 27) Unexpected '{' - ignoring
(dg8.conf: Line 28) Unknown keyword 'weight'
(dg8.conf: Line 29) Unknown keyword 'SSL_GET'
(dg8.conf: Line 29) Unexpected '{' - ignoring
(dg8.conf: Line 30) Unknown keyword 'connect_port'
(dg8.conf: Line 31) Unknown keyword 'url'
(dg8.conf: Line 31) Unexpected '{' - ignoring
(dg8.conf: Line 32) Unknown keyword 'path'
(dg8.conf: Line 33) Unknown keyword 'status_code'
(dg8.conf: Line 34) Unknown keyword '}'
(dg8.conf: Line 35) Unknown keyword 'connect_timeout'
(dg8.conf: Line 36) Unknown keyword '}'
(dg8.conf: Line 37) Unknown keyword '}'
(dg8.conf: Line 38) Extra '}' found
(dg8.conf: Line 38) Unknown keyword '}'
Virtual server [192.168.200.100]:tcp:80 has no real servers - ignoring
(dg8.conf: Line 10) Unterminated quote 'real_ser"ver 192.168.201.10 80 {'
(dg8.conf: Line 10) Unmatched quote: 'real_ser"ver 192.168.201.10 80 {'
(dg8.conf: Line 27) Unknown keyword 'real_server'
(dg8.conf: Line 27) Unexpected '{' - ignoring
(dg8.conf: Line 28) Unknown keyword 'weight'
(dg8.conf: Line 29) Unknown keyword 'SSL_GET'
(dg8.conf: Line 29) Unexpected '{' - ignoring
(dg8.conf: Line 30) Unknown keyword 'connect_port'
(dg8.conf: Line 31) Unknown keyword 'url'
(dg8.conf: Line 31) Unexpected '{' - ignoring
(dg8.conf: Line 32) Unknown keyword 'path'
(dg8.conf: Line 33) Unknown keyword 'status_code'
(dg8.conf: Line 34) Unknown keyword '}'
(dg8.conf: Line 35) Unknown keyword 'connect_timeout'
(dg8.conf: Line 36) Unknown keyword '}'
(dg8.conf: Line 37) Unknown keyword '}'
(dg8.conf: Line 38) Extra '}' found
(dg8.conf: Line 38) Unknown keyword '}'
(dg8.conf: Line 10) Unterminated quote 'real_ser"ver 192.168.201.10 80 {'
(dg8.conf: Line 10) Unmatched quote: 'real_ser"ver 192.168.201.10 80 {'
(dg8.conf: Line 27) Unknown keyword 'real_server'
(dg8.conf: Line 27) Unexpected '{' - ignoring
(dg8.conf: Line 28) Unknown keyword 'weight'
(dg8.conf: Line 29) Unknown keyword 'SSL_GET'
(dg8.conf: Line 29) Unexpected '{' - ignoring
(dg8.conf: Line 30) Unknown keyword 'connect_port'
(dg8.conf: Line 31) Unknown keyword 'url'
(dg8.conf: Line 31) Unexpected '{' - ignoring
(dg8.conf: Line 32) Unknown keyword 'path'
(dg8.conf: Line 33) Unknown keyword 'status_code'
(dg8.conf: Line 34) Unknown keyword '}'
(dg8.conf: Line 35) Unknown keyword 'connect_timeout'
(dg8.conf: Line 36) Unknown keyword '}'
(dg8.conf: Line 37) Unknown keyword '}'
(dg8.conf: Line 38) Extra '}' found
(dg8.conf: Line 38) Unknown keyword '}'
"#,
        5,
    ),
    (
        "dh1.conf",
        r#"vrrp_instance V {
 interface eth0
 virtual_router_id 3
 virtual_ip label eth0:1address {
 10.0.0.1
 }
}
vrrp_instance W {
 irface eth0
 virtual_router_id 3
 virtual_ipaddress {
 fd00::1
 }
}
vrrp_instance X {
 interface eth0
 virtual_router_id 3
 virtual_ipaddress {
 fd00::1
 10.0.0.2
 }
 virtual_ipaddress {
}
"#,
        r#"There are 1 missing '}'s or extra '{'s
There are 1 missing '}'s or extra '{'s
(dh1.conf: Line 4) Unknown keyword 'virtual_ip'
(dh1.conf: Line 4) Unexpected '{' - ignoring
(dh1.conf: Line 5) Unknown keyword '10.0.0.1'
(dh1.conf: Line 7) Unknown keyword '}'
(dh1.conf: Line 9) Unknown keyword 'irface'
(dh1.conf: Line 20) (X): address family must match VRRP instance [10.0.0.2] - ignoring
There are 1 missing '}'s or extra '{'s
(W) Unknown interface!
There are 1 missing '}'s or extra '{'s
"#,
        5,
    ),
    (
        "dh11.conf",
        r#"# Exercises: warnings keepalived gives and still runs (exit 5 in -t mode): a blackhole
# virtual route without an interface (cannot be tracked), virtual rules without a
# `preference`. Needs `eth0`.
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 27
    priority 100
    virtual_ipaddress {
        192.168.200.27/24
    }
    virtual_routes {
        blackhole 10.99.0.0/16
   virtual_rules {
        from 192.168.200.27 table 100
    }
}
"#,
        r#"There are 1 missing '}'s or extra '{'s
There are 1 missing '}'s or extra '{'s
(dh11.conf: Line 13) Warning - cannot track route 10.99.0.0/16 with no interface specified, not tracking
(dh11.conf: Line 14) VRRP parsed invalid IP virtual_rules. skipping IP...
(dh11.conf: Line 14) unknown route keyword virtual_rules
(dh11.conf: Line 14) VRRP parsed invalid IP {. skipping IP...
(dh11.conf: Line 14) unknown route keyword {
(dh11.conf: Line 15) route from address only supported with IPv6 (192.168.200.27)
There are 1 missing '}'s or extra '{'s
There are 1 missing '}'s or extra '{'s
"#,
        5,
    ),
    (
        "dh12.conf",
        r#"! Configuration File for keepalived

global_defs {
   router_id LVS_DEVEL
}

static_routes {
    src 192.168.100.1 192.168.209.0/24 via 192.168.200.254 dev eth0
    192.168.210.0/24 via 192.168.200.254 dev eth0
    192.168.211.0/24 via 192.168.200.254 v eth0
    192.168.212.0/24 dev eth3 scope site
    192.168.213.0/24 dev eth1 scope link
}

vrrp_instance VI_1 {
    state MASTER
    interface eth0
    virtual_router_id 51
    priority 100
    virtual_ipaddress {
        192.168.200.16
        192.168.200.17 dev eth1
        192.168.200.18 dev eth2
    }
    virtual_routes {
        src 192.168.100.1 192.168.109.0/24 via 192.168.200.254 dev eth1
        192.168.110.0/24 via 192.168.200.254 dev eth1
        192.168.111.0/24 dev$X=a eth2
    interface eth0
        192.168.112.0/24 via 192.168.100.254
        192.168.113.0/24 via 192.168.100.252 or 192.168.100.253
	blackhole 192.168.113.1/32
        0.0.0.0/0 gw 192.168.0.1 table 100  # To set a default gateway into table 100.
    }
}
"#,
        r#"(dh12.conf: Line 10) VRRP parsed invalid IP v. skipping IP...
(dh12.conf: Line 10) unknown route keyword v
(dh12.conf: Line 11) WARNING - interface eth3 for VROUTE nexthop doesn't exist
(dh12.conf: Line 12) WARNING - interface eth1 for VROUTE nexthop doesn't exist
(dh12.conf: Line 22) WARNING - interface eth1 for ip address 192.168.200.17 doesn't exist
(dh12.conf: Line 23) WARNING - interface eth2 for ip address 192.168.200.18 doesn't exist
(dh12.conf: Line 26) WARNING - interface eth1 for VROUTE nexthop doesn't exist
(dh12.conf: Line 27) WARNING - interface eth1 for VROUTE nexthop doesn't exist
(dh12.conf: Line 28) VRRP parsed invalid IP dev$X=a. skipping IP...
(dh12.conf: Line 28) unknown route keyword dev$X=a
(dh12.conf: Line 29) VRRP parsed invalid IP interface. skipping IP...
(dh12.conf: Line 29) unknown route keyword interface
(dh12.conf: Line 30) Warning - cannot track route 192.168.112.0/24 with no interface specified, not tracking
(dh12.conf: Line 31) "or" for routes is deprecated. Please use "nexthop"
(dh12.conf: Line 31) Warning - cannot track route 192.168.113.0/24 with no interface specified, not tracking
(dh12.conf: Line 32) Warning - cannot track route 192.168.113.1/32 with no interface specified, not tracking
(dh12.conf: Line 33) "gw" for routes is deprecated. Please use "via"
(dh12.conf: Line 33) Warning - cannot track route 0.0.0.0/0 with no interface specified, not tracking
Non-existent interface specified in configuration
"#,
        5,
    ),
    (
        "dh13.conf",
        r#"global_defs $X{
 random_seed
}
"#,
        r#"(Line 2) *** Configuration line starting `random_seed` is missing a parameter after keyword `random_seed` at word position 2
"#,
        2,
    ),
    (
        "dh14.conf",
        r#"# Exercises: `virtual_ipaddress` entry forms (bare address, /prefix, `brd`, `dev`,
# `scope`, `label`), `virtualddress_excluded`, `virtual_routes` (src, via, dev,
# metric, blackhole + no_track), `virtual_rules` (from/to, table, preference). Needs `eth0`.
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 131
    priority 100
    virtual_ipaddress {
        192.168.200.131
        192.168.200.132/24
        192.168.200.133/24 brd 192.168.200.255 dev eth0 scope global
        192.168.200.134/24 dev eth0 label eth0:vip
        192.168.200.135/32 dev lo scope host
    }
    virtual_ipaddress_excluded {
        192.168.210.131/24
        fd00:210::131/64
    }
    virtual_routes {
        10.20.0.0/16 via 192.168.200.1 dev eth0 metric 100
        10.30.0.0/16 src 192.168.200.131 dev eth0
        blackhole 10.99.0.0/16 no_track
    }
    virtual_rules {
        fr#om 192.168.200.131 table 100 preference 100
        to 10.20.0.0/16 table 100 preference 101
    }
}
"#,
        r#"(dh14.conf: Line 26) Unknown rule option fr
"#,
        5,
    ),
    (
        "dh15.conf",
        r#"global_defs {
 vrrp_strict
}
vrrp_instance V {
 state MASTER
 interface eth0
 virtual_router_id 51
 priority  label eth0:1255
 nopreempt
 preempt_delay 5
 advert_int 1.5
 authentication {
 auth_type PASS
 auth_pa0ss 1
 }
 unicast_src_ip 10.0.0.1
 virtual_ipaddress {
 10.0.0.100
 }
 track_interface {
 eth0
 }
}
vrrp_instance W {
 state MASTER
 interface eth0
 virtual_router_id 52
 priority 100
preempt
 preempt_delay 5
 virtual_ipaddress {
 10.0.0.101
 }
}
"#,
        r#"(dh15.conf: Line 8) invalid number 'label'
(dh15.conf: Line 8) (V) Priority not valid! must be between 1 & 255. Using default 100
(dh15.conf: Line 14) Unknown keyword 'auth_pa0ss'
(V) State MASTER must match being address owner
(V) Strict mode does not support authentication. Ignoring.
(V) A unicast keyword has been specified without any unicast peers. Defaulting to multicast. This usage is deprecated - please update your configuration.
(V) preempt_delay is incompatible with strict mode - resetting
(V) preempt_delay is incompatible with nopreempt mode - resetting
(V) VRRPv2 advertisement interval 1.500000s must be an integer. rounding
(V) Ignoring track_interface eth0 since own interface
(W) State MASTER must match being address owner
(W) preempt_delay is incompatible with strict mode - resetting
"#,
        5,
    ),
    (
        "dh4.conf",
        r#"! Configuration File for keepalived

global_defs {
   router_id LVS_DEVEL
}
static_ipaddress {

static_ipaddress {
    192.168.200.16 dev eth0 scope lin92.168.200.17 dev eth1 scope link
    192.168.200.18 th2
}

vrrp_instance VI_1 {
    state MASTER
    interface eth0
    virtua!l_router_id 51
    priority 100
    virtual_ipaddress {
        192.168.200.20
    }
    virtual_routes {
        src 192.168.100.1 192.168.109.0/24 via 192.168.200.254 dev eth1        192.168.110.0/24 via 192.168.200.254 dev eth1
        192.168.111.0/24 dev eth2
        192.168.112.0/24 via 192.168.100.254
    }
}
"#,
        r#"There are 1 missing '}'s or extra '{'s
There are 1 missing '}'s or extra '{'s
(dh4.conf: Line 8) VRRP parsed invalid IP static_ipaddress. skipping IP...
(dh4.conf: Line 8) VRRP parsed invalid IP {. skipping IP...
(dh4.conf: Line 9) Invalid scope 'lin92.168.200.17' specified for 192.168.200.16 - ignoring
(dh4.conf: Line 9) Cannot specify ipaddress device more than once for 192.168.200.16
(dh4.conf: Line 10) Unknown configuration entry 'th2' for ip address - ignoring
(dh4.conf: Line 16) Unknown keyword 'virtua'
(dh4.conf: Line 22) WARNING - interface eth1 for VROUTE nexthop doesn't exist
(dh4.conf: Line 23) WARNING - interface eth2 for VROUTE nexthop doesn't exist
(dh4.conf: Line 24) Warning - cannot track route 192.168.112.0/24 with no interface specified, not tracking
There are 1 missing '}'s or extra '{'s
Non-existent interface specified in configuration
There are 1 missing '}'s or extra '{'s
"#,
        5,
    ),
    (
        "dh8.conf",
        r#"# Configuration File for keepalived

global_defs {
   router_id LVS_DEVEL
}

virtual_server_group IPv6_group {
    ae00::2-9 80
    ae00 dev nosuch::1   80
}

# virtual_server group IPv6_group {
virtual_server ae00::1 80 {
    delay_loop 6
    lb_algo rr
    lb_kind NAT
    persistence_timeout 50
    protocol TCP

#   real_server ae00::10 80 {
    real_server ae00::10 25 {
        weight 1

        SMTP_CHECK {
            connect_timeout 3
            retry 3
            helo_name "foo.bar.com"

#           host {
#               bindto ae00::2
#               connect_ip ae00::10
#               connect_port 25
#           }
        }

#       TCP_CHECK {
#          connect_port 80
#           ae00::2
#       }

#       HTTP_GET {
#           u0rl {
#             path /ind.html
#             status_code 200
#           }
#           bindto ae00::2
#           connect_timeout 3
#           retry 3
#           delay_before_retry 3
#       }
    }
}
"#,
        r#"(dh8.conf: Line 9) invalid number 'dev'
(dh8.conf: Line 9) Invalid virtual server group IP address ae00 /port/dev - skipping
"#,
        5,
    ),
    (
        "dh9.conf",
        r#"global_defs {
 vrrp_strict
}
vrrp_instance V {
 state MASTER
 interface eth0
 virtual_router_id 51
 priority 255
 nopreempt
 preempt_delay 5
 advert_int 1.5
 authentication {
 auth_type PASS
 auth_pass 1
 }
 unicast_src_ip 10.0.0.1rtual_ipaddress {.100
 }
 track_interface {
 eth0}
}
vrrp_instance W {
 state MASTER
 interface eth0
 virtual_rouabcter_id 52
 unicast_src_ip 10.0.0.1
 priority 100
 nopreempt
 preempt_delay 5
 virtual_ipaddress {
 10.0.0.101
 }
}
"#,
        r#"(dh9.conf: Line 16) Configuration error: VRRP instance[V] malformed src address[10.0.0.1rtual_ipaddress]. Skipping...
(dh9.conf: Line 16) Unexpected '{' - ignoring
(dh9.conf: Line 16) Unknown keyword '.100'
(dh9.conf: Line 18) Unknown keyword 'track_interface'
(dh9.conf: Line 18) Unexpected '{' - ignoring
(dh9.conf: Line 19) Unknown keyword 'eth0'
(dh9.conf: Line 19) Unknown keyword '}'
(dh9.conf: Line 20) Unknown keyword '}'
(dh9.conf: Line 24) Unknown keyword 'virtual_rouabcter_id'
(W) the virtual router id must be set
"#,
        5,
    ),
    (
        "vsk.conf",
        r#"virtual_server 10.0.0.1 80 {
 protocol TCP
 weight 1
 notify_up /bin/true
 notify_down /bin/true
 uthreshold 5
 lthreshold 1
 smtp_alert
 retry 1
 delay_before_retry 1
 warmup 1
 connect_timeout 1
 virtualhost x
 alpha
 lvs_method DR
 real_server 10.0.0.2 80 {
  weight 1
 }
}
"#,
        r#"(vsk.conf: Line 4) Unknown keyword 'notify_up'
(vsk.conf: Line 5) Unknown keyword 'notify_down'
(vsk.conf: Line 6) Unknown keyword 'uthreshold'
(vsk.conf: Line 7) Unknown keyword 'lthreshold'
Virtual server [10.0.0.1]:tcp:80: no scheduler set, setting default 'wlc'
"#,
        5,
    ),
    // vrrp_track_process and track_process (keepalived 2.2.7 as built by Debian has them).
    (
        "tp1.conf",
        r#"vrrp_track_process tp {
    process sleep
}
vrrp_instance VI_1 {
    state MASTER
    interface eth0
    virtual_router_id 51
    priority 100
    virtual_ipaddress {
        192.0.2.10
    }
}
"#,
        r#""#,
        0,
    ),
    (
        "tp3.conf",
        r#"vrrp_track_process tp {
    process sleep
    weight 10
    quorum 1
    bogus 3
}
vrrp_track_process {
}
vrrp_instance VI_1 {
    state MASTER
    interface eth0
    virtual_router_id 51
    priority 100
    track_process {
        tp
        nope
        tp weight 5
    }
    virtual_ipaddress {
        192.0.2.10
    }
}
"#,
        r#"(tp3.conf: Line 5) Unknown keyword 'bogus'
(tp3.conf: Line 7) *** Configuration line starting `vrrp_track_process` is missing a parameter after keyword `vrrp_track_process` at word position 2
"#,
        2,
    ),
    (
        "tp4.conf",
        r#"vrrp_track_process tp {
    weight 10
}
vrrp_instance VI_1 {
    state MASTER
    interface eth0
    virtual_router_id 51
    priority 100
    track_process {
        tp
    }
    virtual_ipaddress {
        192.0.2.10
    }
}
"#,
        r#"(tp4.conf: Line 3) track process 'tp' process name not specified
(tp4.conf: Line 10) (VI_1) track process tp not found, ignoring...
"#,
        5,
    ),
    (
        "tpa.conf",
        r#"vrrp_track_process tp {
    process sleep
    process other
    weight
    weight 300
    weight 10 foo
    weight 5
    weight 6
    quorum 0
    quorum 3
    quorum_max 2
    quorum_max 70000
    param_match
    param_match bogus
    param_match initial
    fork_delay 0
    terminate_delay 4000
    delay abc
    full_command
}
vrrp_track_process tp {
    process sleep
}
vrrp_track_process t2 {
    process sleep 1000
    quorum_max 0
}
vrrp_track_process t3 {
    process sleep
    quorum 2
    quorum_max 1
}
vrrp_instance VI_1 {
    state MASTER
    interface eth0
    virtual_router_id 51
    priority 100
    track_process {
        tp
        nope
        tp weight 5
        t2 weight 300
        t3 weight
        t3 bogus
        t3 weight 3 reverse
    }
    virtual_ipaddress {
        192.0.2.10
    }
}
"#,
        r#"(tpa.conf: Line 3) Process already set for track process tp - ignoring other
(tpa.conf: Line 4) No weight specified for track process tp - ignoring
(tpa.conf: Line 5) number '300' outside range [-254, 254]
(tpa.conf: Line 5) Weight (300) for vrrp_track_process tp must be between [-254..254] inclusive. Ignoring...
(tpa.conf: Line 6) vrrp_track_process tp unknown weight option foo
(tpa.conf: Line 7) Weight already set for track process tp - ignoring 5
(tpa.conf: Line 8) Weight already set for track process tp - ignoring 6
(tpa.conf: Line 9) number '0' outside range [1, 65535]
(tpa.conf: Line 9) Quorum (0) for vrrp_track_process tp must be between [1..65535] inclusive. Ignoring...
(tpa.conf: Line 11) quorum_max is less than quorum - ignoring
(tpa.conf: Line 12) number '70000' outside range [0, 65535]
(tpa.conf: Line 12) quorum_max (70000) for vrrp_track_process tp must be between [0..65535] inclusive. Ignoring...
(tpa.conf: Line 14) Invalid param_match type bogus - ignoring
(tpa.conf: Line 16) number '0' outside range [0.000001, 3600.000000]
(tpa.conf: Line 16) fork_delay (0) for vrrp_track_process tp must be between [0.000001..3600] inclusive. Ignoring...
(tpa.conf: Line 17) number '4000' outside range [0.000001, 3600.000000]
(tpa.conf: Line 17) terminate_delay (4000) for vrrp_track_process tp must be between [0.000001..3600] inclusive. Ignoring...
(tpa.conf: Line 18) invalid number 'abc'
(tpa.conf: Line 18) delay (abc) for vrrp_track_process tp must be between [0.000001..3600] inclusive. Ignoring...
(tpa.conf: Line 31) quorum_max is less than quorum - ignoring
(tpa.conf: Line 40) (VI_1) track process nope not found, ignoring...
(tpa.conf: Line 41) (VI_1) duplicate track_process tp - ignoring
(tpa.conf: Line 42) number '300' outside range [-254, 254]
(tpa.conf: Line 42) (VI_1) weight for track process t2 must be in [-254..254] inclusive. Ignoring...
(tpa.conf: Line 43) (VI_1) weight without value specified for track process t3 - ignoring
(tpa.conf: Line 44) (VI_1) unknown track process option bogus - ignoring
"#,
        5,
    ),
    (
        "tpb.conf",
        r#"vrrp_track_process tp {
    process sleep
    quorum 1
    delay 1.5
    param_match partial
}
vrrp_track_process t2 {
    process sleep
    weight 0
    weight 4 reverse
}
vrrp_sync_group G {
    group {
        VI_1
    }
    track_process {
        tp weight 3
        t2
        zz
    }
}
vrrp_instance VI_1 {
    state MASTER
    interface eth0
    virtual_router_id 51
    priority 100
    track_process {
        tp weight 3 foo
        t2 weight 254
    }
    virtual_ipaddress {
        192.0.2.10
    }
}
"#,
        r#"(tpb.conf: Line 19) (G) track process zz not found, ignoring...
(tpb.conf: Line 28) (VI_1) unknown track_process tp weight option foo - ignoring
Sync group G has only 1 virtual router(s) - this probably isn't what you want
"#,
        5,
    ),
    (
        "tpc.conf",
        r#"vrrp_track_process tp {
    process sleep
    quorum 1
    delay 1.5
    param_match partial
}
vrrp_track_process t2 {
    process sleep
    weight 0
    weight 4 reverse
}
vrrp_sync_group G {
    group {
        VI_1
    }
    track_process {
        tp weight 3
        t2
        zz
    }
}
vrrp_instance VI_1 {
    state MASTER
    interface eth0
    virtual_router_id 51
    priority 100
    track_process {
        tp weight 3
        t2 weight 254
    }
    virtual_ipaddress {
        192.0.2.10
    }
}
"#,
        r#"(tpc.conf: Line 19) (G) track process zz not found, ignoring...
Sync group G has only 1 virtual router(s) - this probably isn't what you want
"#,
        5,
    ),
    (
        "tpd.conf",
        r#"vrrp_track_process tp {
    process sleep
    quorum -1
    weight abc
    delay 1x
    quorum_max 5
    quorum 6
    fork_delay 0.5
}
vrrp_track_process tq {
    process
}
"#,
        r#"(tpd.conf: Line 3) negative number '-1'
(tpd.conf: Line 3) Quorum (-1) for vrrp_track_process tp must be between [1..65535] inclusive. Ignoring...
(tpd.conf: Line 4) invalid number 'abc'
(tpd.conf: Line 4) Weight (abc) for vrrp_track_process tp must be between [-254..254] inclusive. Ignoring...
(tpd.conf: Line 5) invalid number '1x'
(tpd.conf: Line 7) Quorum is greater than quorum_max - ignoring
(tpd.conf: Line 11) *** Configuration line starting `process` is missing a parameter after keyword `process` at word position 2
"#,
        2,
    ),
];
