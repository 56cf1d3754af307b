//! keepalived 2.2.7's verdicts on the cases helper H12 measured while
//! fixing what mutation testing found (missing values, duplicate track
//! entries, LVS quorum/hysteresis, real server checks, unicast peer options,
//! address suffixes, 6-decimal timers, default script user, message order,
//! quotes). Recorded with `keepalived -t -f NAME` (Debian 12, `lo` and
//! `eth0`, root, no `keepalived_script` user); each case is (file name,
//! config text, exact stderr, exit code).

pub const CASES: &[(&str, &str, &str, i32)] = &[
    (
        "h12-lvssync0.conf",
        r#"vrrp_instance A {
 interface eth0
 virtual_router_id 5
 lvs_sync_daemon_interface eth0
 virtual_ipaddress {
  10.0.0.1
 }
}
"#,
        r#"(h12-lvssync0.conf: Line 4) (A) Specifying lvs_sync_daemon_interface against a vrrp is deprecated.
(h12-lvssync0.conf: Line 4)        Please use global lvs_sync_daemon
"#,
        5,
    ),
    (
        "h12-lvssync1.conf",
        r#"vrrp_instance AB {
 interface eth0
 virtual_router_id 5
 lvs_sync_daemon_interface eth0
 virtual_ipaddress {
  10.0.0.1
 }
}
"#,
        r#"(h12-lvssync1.conf: Line 4) (AB) Specifying lvs_sync_daemon_interface against a vrrp is deprecated.
(h12-lvssync1.conf: Line 4)       Please use global lvs_sync_daemon
"#,
        5,
    ),
    (
        "h12-lvssync2.conf",
        r#"vrrp_instance VI_1 {
 interface eth0
 virtual_router_id 5
 lvs_sync_daemon_interface eth0
 virtual_ipaddress {
  10.0.0.1
 }
}
"#,
        r#"(h12-lvssync2.conf: Line 4) (VI_1) Specifying lvs_sync_daemon_interface against a vrrp is deprecated.
(h12-lvssync2.conf: Line 4)         Please use global lvs_sync_daemon
"#,
        5,
    ),
    (
        "h12-lvssync-bare.conf",
        r#"vrrp_instance VI {
 interface eth0
 virtual_router_id 5
 lvs_sync_daemon_interface
 virtual_ipaddress {
  10.0.0.1
 }
}
"#,
        r#"(h12-lvssync-bare.conf: Line 4) (VI) Specifying lvs_sync_daemon_interface against a vrrp is deprecated.
(h12-lvssync-bare.conf: Line 4)       Please use global lvs_sync_daemon
(h12-lvssync-bare.conf: Line 4) *** Configuration line starting `lvs_sync_daemon_interface` is missing a parameter after keyword `lvs_sync_daemon_interface` at word position 2
"#,
        2,
    ),
    (
        "h12-bare-unicast_ttl.conf",
        r#"vrrp_instance VI {
 interface eth0
 virtual_router_id 5
 unicast_ttl
 virtual_ipaddress {
  10.0.0.1
 }
}
"#,
        r#"(h12-bare-unicast_ttl.conf: Line 4) *** Configuration line starting `unicast_ttl` is missing a parameter after keyword `unicast_ttl` at word position 2
"#,
        2,
    ),
    (
        "h12-bare-debug.conf",
        r#"vrrp_instance VI {
 interface eth0
 virtual_router_id 5
 debug
 virtual_ipaddress {
  10.0.0.1
 }
}
"#,
        r#"(h12-bare-debug.conf: Line 4) *** Configuration line starting `debug` is missing a parameter after keyword `debug` at word position 2
"#,
        2,
    ),
    (
        "h12-bare-vrf.conf",
        r#"vrrp_instance VI {
 interface eth0
 virtual_router_id 5
 vrf
 virtual_ipaddress {
  10.0.0.1
 }
}
"#,
        r#"(h12-bare-vrf.conf: Line 4) *** Configuration line starting `vrf` is missing a parameter after keyword `vrf` at word position 2
"#,
        2,
    ),
    (
        "h12-bare-garp_lower_prio_delay.conf",
        r#"vrrp_instance VI {
 interface eth0
 virtual_router_id 5
 garp_lower_prio_delay
 virtual_ipaddress {
  10.0.0.1
 }
}
"#,
        r#"(h12-bare-garp_lower_prio_delay.conf: Line 4) *** Configuration line starting `garp_lower_prio_delay` is missing a parameter after keyword `garp_lower_prio_delay` at word position 2
"#,
        2,
    ),
    (
        "h12-bare-chk-delay_loop.conf",
        r#"virtual_server 10.0.0.1 80 {
 protocol TCP
 real_server 10.0.0.2 80 {
  TCP_CHECK {
   delay_loop
  }
 }
}
"#,
        r#"(h12-bare-chk-delay_loop.conf: Line 5) *** Configuration line starting `delay_loop` is missing a parameter after keyword `delay_loop` at word position 2
"#,
        2,
    ),
    (
        "h12-bare-chk-retry.conf",
        r#"virtual_server 10.0.0.1 80 {
 protocol TCP
 real_server 10.0.0.2 80 {
  TCP_CHECK {
   retry
  }
 }
}
"#,
        r#"(h12-bare-chk-retry.conf: Line 5) *** Configuration line starting `retry` is missing a parameter after keyword `retry` at word position 2
"#,
        2,
    ),
    (
        "h12-bare-chk-connect_port.conf",
        r#"virtual_server 10.0.0.1 80 {
 protocol TCP
 real_server 10.0.0.2 80 {
  TCP_CHECK {
   connect_port
  }
 }
}
"#,
        r#"(h12-bare-chk-connect_port.conf: Line 5) *** Configuration line starting `connect_port` is missing a parameter after keyword `connect_port` at word position 2
"#,
        2,
    ),
    (
        "h12-bare-chk-warmup.conf",
        r#"virtual_server 10.0.0.1 80 {
 protocol TCP
 real_server 10.0.0.2 80 {
  TCP_CHECK {
   warmup
  }
 }
}
"#,
        r#"(h12-bare-chk-warmup.conf: Line 5) *** Configuration line starting `warmup` is missing a parameter after keyword `warmup` at word position 2
"#,
        2,
    ),
    (
        "h12-bare-quorum.conf",
        r#"virtual_server 10.0.0.1 80 {
 protocol TCP
 quorum
 real_server 10.0.0.2 80 {
 }
}
"#,
        r#"(h12-bare-quorum.conf: Line 3) *** Configuration line starting `quorum` is missing a parameter after keyword `quorum` at word position 2
"#,
        2,
    ),
    (
        "h12-bare-bfd.conf",
        r#"bfd_instance B {
 neighbor_ip 10.0.0.2
 min_rx
}
"#,
        r#"(h12-bare-bfd.conf: Line 3) *** Configuration line starting `min_rx` is missing a parameter after keyword `min_rx` at word position 2
"#,
        2,
    ),
    (
        "h12-bare-globals.conf",
        r#"global_defs {
 notification_email {
 }
 startup_script
 default_interface
 lvs_timeouts
 vrrp_cpu_affinity
 notify_fifo
 vrrp_rx_bufs_multiplier
 net_namespace x
}
"#,
        r#"(Line 3) Warning - empty notification_email block
(Line 4) startup script missing
(Line 5) default_interface requires interface name
(Line 6) lvs_timeouts requires at least one option
(Line 7) No vrrp cpu_id set specified
(Line 8) No notify_fifo name specified
(Line 9) Invalid vrrp_rx_bufs_multiplier
(Line 10) Unknown keyword 'net_namespace'
"#,
        5,
    ),
    (
        "h12-gd-startup-delay.conf",
        r#"global_defs {
 vrrp_startup_delay
}
"#,
        r#"(Line 2) *** Configuration line starting `vrrp_startup_delay` is missing a parameter after keyword `vrrp_startup_delay` at word position 2
"#,
        2,
    ),
    (
        "h12-notify-deleted.conf",
        r#"vrrp_instance VI {
 interface eth0
 virtual_router_id 5
 notify_deleted
 virtual_ipaddress {
  10.0.0.1
 }
}
"#,
        r#""#,
        0,
    ),
    (
        "h12-unicast-kw.conf",
        r#"vrrp_instance VI {
 interface eth0
 virtual_router_id 5
 check_unicast_src
 virtual_ipaddress {
  10.0.0.1
 }
}
vrrp_instance VJ {
 interface eth0
 virtual_router_id 6
 unicast_fault_no_peer
 virtual_ipaddress {
  10.0.0.1
 }
}
"#,
        r#"(VI) A unicast keyword has been specified without any unicast peers. Defaulting to multicast. This usage is deprecated - please update your configuration.
"#,
        5,
    ),
    (
        "h12-garp-extra-if.conf",
        r#"vrrp_instance VI {
 interface eth0
 virtual_router_id 5
 garp_extra_if all
 virtual_ipaddress {
  10.0.0.1
 }
}
vrrp_instance VJ {
 interface eth0
 virtual_router_id 6
 garp_extra_if 5 x
 virtual_ipaddress {
  10.0.0.1
 }
}
vrrp_instance VK {
 interface eth0
 virtual_router_id 7
 kernel_rx_buf_size -1
 linkbeat_use_polling
 virtual_ipaddress {
  10.0.0.1
 }
}
"#,
        r#"(h12-garp-extra-if.conf: Line 4) (VI): garp_extra_if specified without time - ignoring
(h12-garp-extra-if.conf: Line 12) invalid number 'x'
(h12-garp-extra-if.conf: Line 12) (VJ): garp_extra_if 'x' invalid - ignoring
(h12-garp-extra-if.conf: Line 20) negative number '-1'
(h12-garp-extra-if.conf: Line 20) (VK) invalid kernel_rx_buf_size specified
(h12-garp-extra-if.conf: Line 21) (VK) 'linkbeat_use_polling' in vrrp instance deprecated - use linkbeat_interfaces block
"#,
        5,
    ),
    (
        "h12-dup-track.conf",
        r#"global_defs {
 script_user root
 enable_script_security
}
vrrp_script s1 {
 script /bin/true
}
vrrp_track_file f1 {
 file /tmp/f1
}
vrrp_instance VI {
 interface eth0
 virtual_router_id 5
 track_script {
  s1
  s1 weight 5
 }
 track_file {
  f1
  f1 foo
 }
 track_interface {
  eth0
  eth0
  lo foo
 }
 virtual_ipaddress {
  10.0.0.1
 }
}
vrrp_sync_group G {
 group {
  VI
 }
 track_script {
  s1
  s1
  nosuch
 }
 track_interface {
  eth0
 }
}
"#,
        r#"(h12-dup-track.conf: Line 16) (VI) duplicate track_script s1 - ignoring
(h12-dup-track.conf: Line 20) (VI) duplicate track_file f1 - ignoring
(h12-dup-track.conf: Line 24) (VI) duplicate track_interface eth0 - ignoring
(h12-dup-track.conf: Line 25) (VI) unknown track_interface lo option foo - ignoring
(h12-dup-track.conf: Line 37) (G) duplicate track_script s1 - ignoring
(h12-dup-track.conf: Line 38) (G) track script nosuch not found, ignoring...
Sync group G has only 1 virtual router(s) - this probably isn't what you want
(VI) Ignoring track_interface eth0 since own interface
(VI) ignoring weight from tracked file f1 due to SYNC group. specify weight 0
(VI) track_interface eth0 is configured on VRRP instance and sync group. Remove vrrp instance or sync group config
"#,
        5,
    ),
    (
        "h12-tf-weight.conf",
        r#"vrrp_track_file f1 {
 file /tmp/f1
 weight
}
vrrp_track_file f2 {
 file /tmp/f2
 weight 300
}
vrrp_track_file f3 {
 file /tmp/f3
 weight 5 foo
}
"#,
        r#"(h12-tf-weight.conf: Line 3) No weight specified for track file f1 - ignoring
(h12-tf-weight.conf: Line 7) number '300' outside range [-254, 254]
(h12-tf-weight.conf: Line 7) Weight (300) for track_file f2 must be between [-254..254] inclusive. Ignoring...
(h12-tf-weight.conf: Line 11) track_file f3 unknown weight option foo
(h12-tf-weight.conf: Line 3) No weight specified for track file f1 - ignoring
(h12-tf-weight.conf: Line 7) number '300' outside range [-254, 254]
(h12-tf-weight.conf: Line 7) Weight (300) for track_file f2 must be between [-254..254] inclusive. Ignoring...
(h12-tf-weight.conf: Line 11) track_file f3 unknown weight option foo
"#,
        5,
    ),
    (
        "h12-tf-sync.conf",
        r#"vrrp_track_file f1 {
 file /tmp/f1
}
vrrp_track_file f2 {
 file /tmp/f2
 weight 7
}
vrrp_instance VI {
 interface eth0
 virtual_router_id 5
 track_file {
  f1
  f2
 }
 virtual_ipaddress {
  10.0.0.1
 }
}
vrrp_instance VJ {
 interface eth0
 virtual_router_id 6
 virtual_ipaddress {
  10.0.0.1
 }
}
vrrp_sync_group G {
 group {
  VI
  VJ
 }
}
"#,
        r#"(VI) ignoring weight from tracked file f1 due to SYNC group. specify weight 0
(VI) ignoring tracked file f2 with weight 7 due to SYNC group
"#,
        5,
    ),
    (
        "h12-quorum.conf",
        r#"virtual_server 10.0.0.1 80 {
 protocol TCP
 quorum 256
 hysteresis 300
 real_server 10.0.0.2 80 {
  weight 3
 }
 real_server 10.0.0.3 80 {
 }
}
virtual_server 10.0.0.1 81 {
 protocol TCP
 quorum 3
 hysteresis 3
 real_server 10.0.0.2 81 {
  weight 3
 }
}
virtual_server 10.0.0.1 82 {
 protocol TCP
 quorum 0
 hysteresis -1
 real_server 10.0.0.2 82 {
 }
}
virtual_server 10.0.0.1 83 {
 protocol TCP
 quorum abc
 hysteresis abc
 real_server 300.1.1.1 83 {
 }
 real_server 10.0.0.5 99999 {
 }
 real_server 10.0.0.5 {
 }
}
"#,
        r#"(h12-quorum.conf: Line 21) number '0' outside range [1, 4294967295]
(h12-quorum.conf: Line 21) Quorum 0 must be in [1, 4294967295]. Setting to 1.
(h12-quorum.conf: Line 22) negative number '-1'
(h12-quorum.conf: Line 22) Hysteresis -1 must be in [0, 4294967295] - ignoring
(h12-quorum.conf: Line 28) invalid number 'abc'
(h12-quorum.conf: Line 28) Quorum abc must be in [1, 4294967295]. Setting to 1.
(h12-quorum.conf: Line 29) invalid number 'abc'
(h12-quorum.conf: Line 29) Hysteresis abc must be in [0, 4294967295] - ignoring
(h12-quorum.conf: Line 30) Invalid real server ip address/port 300.1.1.1/83 - skipping
(h12-quorum.conf: Line 32) number '99999' outside range [1, 65535]
(h12-quorum.conf: Line 32) Invalid real server ip address/port 10.0.0.5/99999 - skipping
Virtual server [10.0.0.1]:tcp:80: no scheduler set, setting default 'wlc'
Virtual server [10.0.0.1]:tcp:80: no forwarding method set, setting default NAT
Warning - quorum 256 for [10.0.0.1]:tcp:80 exceeds total weight of real servers 4, reducing quorum to 4
Virtual server [10.0.0.1]:tcp:80: hysteresis 300 >= quorum 4; setting hysteresis to 3
Virtual server [10.0.0.1]:tcp:81: no scheduler set, setting default 'wlc'
Virtual server [10.0.0.1]:tcp:81: no forwarding method set, setting default NAT
Virtual server [10.0.0.1]:tcp:81: hysteresis 3 >= quorum 3; setting hysteresis to 2
Virtual server [10.0.0.1]:tcp:82: no scheduler set, setting default 'wlc'
Virtual server [10.0.0.1]:tcp:82: no forwarding method set, setting default NAT
Virtual server [10.0.0.1]:tcp:83: no scheduler set, setting default 'wlc'
Virtual server [10.0.0.1]:tcp:83: no forwarding method set, setting default NAT
"#,
        5,
    ),
    (
        "h12-quorum2.conf",
        r#"virtual_server 10.0.0.1 80 {
 protocol TCP
 quorum 5
}
virtual_server 10.0.0.1 81 {
 protocol TCP
 real_server 10.0.0.2 0 {
 }
 real_server 10.0.0.3 81 {
  weight 0
 }
}
virtual_server 10.0.0.1 82 {
 protocol TCP
 hysteresis 2
 quorum 3
 real_server 10.0.0.2 82 {
  weight 2
 }
}
virtual_server 10.0.0.1 83 {
 protocol TCP
 quorum 4294967295
 real_server 10.0.0.2 83 {
  weight 2147483647
 }
 real_server 10.0.0.3 83 {
  weight 2147483647
 }
 real_server 10.0.0.4 83 {
  weight 2147483647
 }
}
"#,
        r#"Virtual server [10.0.0.1]:tcp:80 has no real servers - ignoring
Virtual server [10.0.0.1]:tcp:81: no scheduler set, setting default 'wlc'
Virtual server [10.0.0.1]:tcp:81: no forwarding method set, setting default NAT
Virtual server [10.0.0.1]:tcp:82: no scheduler set, setting default 'wlc'
Virtual server [10.0.0.1]:tcp:82: no forwarding method set, setting default NAT
Warning - quorum 3 for [10.0.0.1]:tcp:82 exceeds total weight of real servers 2, reducing quorum to 2
Virtual server [10.0.0.1]:tcp:82: hysteresis 2 >= quorum 2; setting hysteresis to 1
Virtual server [10.0.0.1]:tcp:83: no scheduler set, setting default 'wlc'
Virtual server [10.0.0.1]:tcp:83: no forwarding method set, setting default NAT
Warning - quorum 4294967295 for [10.0.0.1]:tcp:83 exceeds total weight of real servers 2147483645, reducing quorum to 2147483645
"#,
        5,
    ),
    (
        "h12-quorum3.conf",
        r#"virtual_server 10.0.0.1 81 {
 protocol TCP
 real_server 10.0.0.3 81 {
  weight 0
 }
}
virtual_server 10.0.0.1 82 {
 protocol TCP
 quorum 2
 hysteresis 1
 real_server 10.0.0.3 82 {
  weight 0
 }
}
virtual_server 10.0.0.1 83 {
 protocol TCP
 real_server 10.0.0.3 0 {
 }
 real_server 10.0.0.3 -1 {
 }
 real_server 10.0.0.3 abc {
 }
 real_server 10.0.0.3 80 extra {
 }
}
"#,
        r#"(h12-quorum3.conf: Line 19) negative number '-1'
(h12-quorum3.conf: Line 19) Invalid real server ip address/port 10.0.0.3/-1 - skipping
(h12-quorum3.conf: Line 21) invalid number 'abc'
(h12-quorum3.conf: Line 21) Invalid real server ip address/port 10.0.0.3/abc - skipping
Virtual server [10.0.0.1]:tcp:81: no scheduler set, setting default 'wlc'
Virtual server [10.0.0.1]:tcp:81: no forwarding method set, setting default NAT
Warning - quorum 1 for [10.0.0.1]:tcp:81 exceeds total weight of real servers 0, reducing quorum to 0
Virtual server [10.0.0.1]:tcp:81: hysteresis 0 >= quorum 0; setting hysteresis to 4294967295
Virtual server [10.0.0.1]:tcp:82: no scheduler set, setting default 'wlc'
Virtual server [10.0.0.1]:tcp:82: no forwarding method set, setting default NAT
Warning - quorum 2 for [10.0.0.1]:tcp:82 exceeds total weight of real servers 0, reducing quorum to 0
Virtual server [10.0.0.1]:tcp:82: hysteresis 1 >= quorum 0; setting hysteresis to 4294967295
Virtual server [10.0.0.1]:tcp:83: no scheduler set, setting default 'wlc'
Virtual server [10.0.0.1]:tcp:83: no forwarding method set, setting default NAT
"#,
        5,
    ),
    (
        "h12-peer-opts.conf",
        r#"vrrp_instance VI {
 interface eth0
 virtual_router_id 5
 unicast_peer {
  10.0.0.12 dev eth0
  10.0.0.12 max_ttl 300
  10.0.0.12 foo
  10.0.0.12/24
  10.0.0.12-5
  10.0.0.12 foo 5
  10.0.0.12 min_ttl 5 foo
 }
 virtual_ipaddress {
  10.0.0.1
 }
}
"#,
        r#"(h12-peer-opts.conf: Line 5) invalid number 'eth0'
(h12-peer-opts.conf: Line 6) number '300' outside range [0, 255]
(h12-peer-opts.conf: Line 7) (VI) foo is missing a value
(h12-peer-opts.conf: Line 10) (VI) unknown unicast_peer option foo
(h12-peer-opts.conf: Line 11) (VI) foo is missing a value
"#,
        5,
    ),
    (
        "h12-addr-suffix0.conf",
        r#"vrrp_instance VI {
 interface eth0
 virtual_router_id 5
 unicast_src_ip 10.0.0.5-300
 unicast_peer {
  10.0.0.9
 }
 virtual_ipaddress {
  10.0.0.1
 }
}
virtual_server 10.0.0.5-300 80 {
 protocol TCP
 real_server 10.0.0.2 80 {
 }
 real_server fd00::1 80 {
 }
}
"#,
        r#"(h12-addr-suffix0.conf: Line 17) Address family of virtual server and real server fd00::1 don't match - skipping real server.
Virtual server [10.0.0.5]:tcp:80: no scheduler set, setting default 'wlc'
Virtual server [10.0.0.5]:tcp:80: no forwarding method set, setting default NAT
"#,
        5,
    ),
    (
        "h12-addr-suffix1.conf",
        r#"vrrp_instance VI {
 interface eth0
 virtual_router_id 5
 unicast_src_ip fd00::-11
 unicast_peer {
  10.0.0.9
 }
 virtual_ipaddress {
  10.0.0.1
 }
}
virtual_server fd00::-11 80 {
 protocol TCP
 real_server 10.0.0.2 80 {
 }
 real_server fd00::1 80 {
 }
}
"#,
        r#"(h12-addr-suffix1.conf: Line 15) Address family of virtual server and real server 10.0.0.2 don't match - skipping real server.
Virtual server [fd00::]:tcp:80: no scheduler set, setting default 'wlc'
Virtual server [fd00::]:tcp:80: no forwarding method set, setting default NAT
(h12-addr-suffix1.conf: Line 6) Configuration error: VRRP instance[VI] and unicast peer address[10.0.0.9] MUST be of the same family !!! Skipping...
(h12-addr-suffix1.conf: Line 9) (VI): address family must match VRRP instance [10.0.0.1] - ignoring
(VI) No VIP specified; at least one is required
"#,
        5,
    ),
    (
        "h12-addr-suffix2.conf",
        r#"vrrp_instance VI {
 interface eth0
 virtual_router_id 5
 unicast_src_ip 10.0.0.5/24
 unicast_peer {
  10.0.0.9
 }
 virtual_ipaddress {
  10.0.0.1
 }
}
virtual_server 10.0.0.5/24 80 {
 protocol TCP
 real_server 10.0.0.2 80 {
 }
 real_server fd00::1 80 {
 }
}
"#,
        r#"(h12-addr-suffix2.conf: Line 17) Address family of virtual server and real server fd00::1 don't match - skipping real server.
Virtual server [10.0.0.5]:tcp:80: no scheduler set, setting default 'wlc'
Virtual server [10.0.0.5]:tcp:80: no forwarding method set, setting default NAT
"#,
        5,
    ),
    (
        "h12-decimal0.conf",
        r#"virtual_server 10.0.0.1 80 {
 protocol TCP
 delay_loop -1
 real_server 10.0.0.2 80 {
  connect_timeout -1
  TCP_CHECK {
   connect_timeout -1
  }
 }
}
vrrp_instance VI {
 interface eth0
 virtual_router_id 5
 advert_int -1
 virtual_ipaddress {
  10.0.0.1
 }
}
"#,
        r#"(h12-decimal0.conf: Line 3) negative number '-1'
(h12-decimal0.conf: Line 3) virtual server delay loop '-1' invalid - ignoring
(h12-decimal0.conf: Line 5) negative number '-1'
(h12-decimal0.conf: Line 5) real server connect_timeout -1 invalid - ignoring
(h12-decimal0.conf: Line 7) negative number '-1'
(h12-decimal0.conf: Line 7) connect_timeout -1 invalid - ignoring
Virtual server [10.0.0.1]:tcp:80: no scheduler set, setting default 'wlc'
Virtual server [10.0.0.1]:tcp:80: no forwarding method set, setting default NAT
(h12-decimal0.conf: Line 14) negative number '-1'
(h12-decimal0.conf: Line 14) (VI) Advert interval (-1) not valid! Must be > 0 - ignoring
"#,
        5,
    ),
    (
        "h12-decimal1.conf",
        r#"virtual_server 10.0.0.1 80 {
 protocol TCP
 delay_loop 0
 real_server 10.0.0.2 80 {
  connect_timeout 0
  TCP_CHECK {
   connect_timeout 0
  }
 }
}
vrrp_instance VI {
 interface eth0
 virtual_router_id 5
 advert_int 0
 virtual_ipaddress {
  10.0.0.1
 }
}
"#,
        r#"(h12-decimal1.conf: Line 3) number '0' outside range [0.000001, 18446744073709.551614]
(h12-decimal1.conf: Line 3) virtual server delay loop '0' invalid - ignoring
(h12-decimal1.conf: Line 5) number '0' outside range [0.000001, 4294.967295]
(h12-decimal1.conf: Line 5) real server connect_timeout 0 invalid - ignoring
(h12-decimal1.conf: Line 7) number '0' outside range [0.000001, 4294.967295]
(h12-decimal1.conf: Line 7) connect_timeout 0 invalid - ignoring
Virtual server [10.0.0.1]:tcp:80: no scheduler set, setting default 'wlc'
Virtual server [10.0.0.1]:tcp:80: no forwarding method set, setting default NAT
(h12-decimal1.conf: Line 14) number '0' outside range [0.010000, 255.000000]
(h12-decimal1.conf: Line 14) (VI) Advert interval (0) not valid! Must be > 0 - ignoring
"#,
        5,
    ),
    (
        "h12-decimal2.conf",
        r#"virtual_server 10.0.0.1 80 {
 protocol TCP
 delay_loop 10.0.0.1-300
 real_server 10.0.0.2 80 {
  connect_timeout 10.0.0.1-300
  TCP_CHECK {
   connect_timeout 10.0.0.1-300
  }
 }
}
vrrp_instance VI {
 interface eth0
 virtual_router_id 5
 advert_int 10.0.0.1-300
 virtual_ipaddress {
  10.0.0.1
 }
}
"#,
        r#"(h12-decimal2.conf: Line 3) number '10.0.0.1-300' has too many decimal places
(h12-decimal2.conf: Line 3) invalid number '10.0.0.1-300'
(h12-decimal2.conf: Line 5) number '10.0.0.1-300' has too many decimal places
(h12-decimal2.conf: Line 5) invalid number '10.0.0.1-300'
(h12-decimal2.conf: Line 7) number '10.0.0.1-300' has too many decimal places
(h12-decimal2.conf: Line 7) invalid number '10.0.0.1-300'
Virtual server [10.0.0.1]:tcp:80: no scheduler set, setting default 'wlc'
Virtual server [10.0.0.1]:tcp:80: no forwarding method set, setting default NAT
(h12-decimal2.conf: Line 14) number '10.0.0.1-300' has too many decimal places
(h12-decimal2.conf: Line 14) invalid number '10.0.0.1-300'
(h12-decimal2.conf: Line 14) (VI) Advert interval (10.0.0.1-300) not valid! Must be > 0 - ignoring
"#,
        5,
    ),
    (
        "h12-decimal3.conf",
        r#"virtual_server 10.0.0.1 80 {
 protocol TCP
 delay_loop 1.1234567
 real_server 10.0.0.2 80 {
  connect_timeout 1.1234567
  TCP_CHECK {
   connect_timeout 1.1234567
  }
 }
}
vrrp_instance VI {
 interface eth0
 virtual_router_id 5
 advert_int 1.1234567
 virtual_ipaddress {
  10.0.0.1
 }
}
"#,
        r#"(h12-decimal3.conf: Line 3) number '1.1234567' has too many decimal places
(h12-decimal3.conf: Line 5) number '1.1234567' has too many decimal places
(h12-decimal3.conf: Line 7) number '1.1234567' has too many decimal places
Virtual server [10.0.0.1]:tcp:80: no scheduler set, setting default 'wlc'
Virtual server [10.0.0.1]:tcp:80: no forwarding method set, setting default NAT
(h12-decimal3.conf: Line 14) number '1.1234567' has too many decimal places
(VI) VRRPv2 advertisement interval 1.123457s must be an integer. rounding
"#,
        5,
    ),
    (
        "h12-decimal4.conf",
        r#"virtual_server 10.0.0.1 80 {
 protocol TCP
 delay_loop abc
 real_server 10.0.0.2 80 {
  connect_timeout abc
  TCP_CHECK {
   connect_timeout abc
  }
 }
}
vrrp_instance VI {
 interface eth0
 virtual_router_id 5
 advert_int abc
 virtual_ipaddress {
  10.0.0.1
 }
}
"#,
        r#"(h12-decimal4.conf: Line 3) invalid number 'abc'
(h12-decimal4.conf: Line 3) virtual server delay loop 'abc' invalid - ignoring
(h12-decimal4.conf: Line 5) invalid number 'abc'
(h12-decimal4.conf: Line 5) real server connect_timeout abc invalid - ignoring
(h12-decimal4.conf: Line 7) invalid number 'abc'
(h12-decimal4.conf: Line 7) connect_timeout abc invalid - ignoring
Virtual server [10.0.0.1]:tcp:80: no scheduler set, setting default 'wlc'
Virtual server [10.0.0.1]:tcp:80: no forwarding method set, setting default NAT
(h12-decimal4.conf: Line 14) invalid number 'abc'
(h12-decimal4.conf: Line 14) (VI) Advert interval (abc) not valid! Must be > 0 - ignoring
"#,
        5,
    ),
    (
        "h12-decimal5.conf",
        r#"virtual_server 10.0.0.1 80 {
 protocol TCP
 delay_loop ""
 real_server 10.0.0.2 80 {
  connect_timeout ""
  TCP_CHECK {
   connect_timeout ""
  }
 }
}
vrrp_instance VI {
 interface eth0
 virtual_router_id 5
 advert_int ""
 virtual_ipaddress {
  10.0.0.1
 }
}
"#,
        r#"(h12-decimal5.conf: Line 3) number '' outside range [0.000001, 18446744073709.551614]
(h12-decimal5.conf: Line 3) virtual server delay loop '' invalid - ignoring
(h12-decimal5.conf: Line 5) number '' outside range [0.000001, 4294.967295]
(h12-decimal5.conf: Line 5) real server connect_timeout  invalid - ignoring
(h12-decimal5.conf: Line 7) number '' outside range [0.000001, 4294.967295]
(h12-decimal5.conf: Line 7) connect_timeout  invalid - ignoring
Virtual server [10.0.0.1]:tcp:80: no scheduler set, setting default 'wlc'
Virtual server [10.0.0.1]:tcp:80: no forwarding method set, setting default NAT
(h12-decimal5.conf: Line 14) number '' outside range [0.010000, 255.000000]
(h12-decimal5.conf: Line 14) (VI) Advert interval () not valid! Must be > 0 - ignoring
"#,
        5,
    ),
    (
        "h12-decimal6.conf",
        r#"virtual_server 10.0.0.1 80 {
 protocol TCP
 delay_loop 1e3
 real_server 10.0.0.2 80 {
  connect_timeout 1e3
  TCP_CHECK {
   connect_timeout 1e3
  }
 }
}
vrrp_instance VI {
 interface eth0
 virtual_router_id 5
 advert_int 1e3
 virtual_ipaddress {
  10.0.0.1
 }
}
"#,
        r#"(h12-decimal6.conf: Line 3) invalid number '1e3'
(h12-decimal6.conf: Line 5) invalid number '1e3'
(h12-decimal6.conf: Line 7) invalid number '1e3'
Virtual server [10.0.0.1]:tcp:80: no scheduler set, setting default 'wlc'
Virtual server [10.0.0.1]:tcp:80: no forwarding method set, setting default NAT
(h12-decimal6.conf: Line 14) invalid number '1e3'
(h12-decimal6.conf: Line 14) (VI) Advert interval (1e3) not valid! Must be > 0 - ignoring
"#,
        5,
    ),
    (
        "h12-decimal7.conf",
        r#"virtual_server 10.0.0.1 80 {
 protocol TCP
 delay_loop +1
 real_server 10.0.0.2 80 {
  connect_timeout +1
  TCP_CHECK {
   connect_timeout +1
  }
 }
}
vrrp_instance VI {
 interface eth0
 virtual_router_id 5
 advert_int +1
 virtual_ipaddress {
  10.0.0.1
 }
}
"#,
        r#"Virtual server [10.0.0.1]:tcp:80: no scheduler set, setting default 'wlc'
Virtual server [10.0.0.1]:tcp:80: no forwarding method set, setting default NAT
"#,
        5,
    ),
    (
        "h12-decimal8.conf",
        r#"virtual_server 10.0.0.1 80 {
 protocol TCP
 delay_loop 99999999999999999999999
 real_server 10.0.0.2 80 {
  connect_timeout 99999999999999999999999
  TCP_CHECK {
   connect_timeout 99999999999999999999999
  }
 }
}
vrrp_instance VI {
 interface eth0
 virtual_router_id 5
 advert_int 99999999999999999999999
 virtual_ipaddress {
  10.0.0.1
 }
}
"#,
        r#"(h12-decimal8.conf: Line 3) number '99999999999999999999999' outside unsigned decimal range
(h12-decimal8.conf: Line 3) virtual server delay loop '99999999999999999999999' invalid - ignoring
(h12-decimal8.conf: Line 5) number '99999999999999999999999' outside unsigned decimal range
(h12-decimal8.conf: Line 5) real server connect_timeout 99999999999999999999999 invalid - ignoring
(h12-decimal8.conf: Line 7) number '99999999999999999999999' outside unsigned decimal range
(h12-decimal8.conf: Line 7) connect_timeout 99999999999999999999999 invalid - ignoring
Virtual server [10.0.0.1]:tcp:80: no scheduler set, setting default 'wlc'
Virtual server [10.0.0.1]:tcp:80: no forwarding method set, setting default NAT
(h12-decimal8.conf: Line 14) number '99999999999999999999999' outside unsigned decimal range
(h12-decimal8.conf: Line 14) (VI) Advert interval (99999999999999999999999) not valid! Must be > 0 - ignoring
"#,
        5,
    ),
    (
        "h12-chk-nums.conf",
        r#"virtual_server 10.0.0.1 80 {
 protocol TCP
 lb_algo rr
 lb_kind NAT
 real_server 10.0.0.2 80 {
  TCP_CHECK {
   connect_port 65536
   bind_port yes
   retry 0x10
   fwmark abc
   delay_before_retry abc
   warmup 0
   delay_loop 0
   nb_get_retry 3
  }
  HTTP_GET {
   nb_get_retry 3
   url {
    path /
   }
  }
 }
}
"#,
        r#"(h12-chk-nums.conf: Line 7) number '65536' outside range [1, 65535]
(h12-chk-nums.conf: Line 7) Invalid checker connect_port '65536'
(h12-chk-nums.conf: Line 8) invalid number 'yes'
(h12-chk-nums.conf: Line 8) Invalid checker bind_port 'yes'
(h12-chk-nums.conf: Line 9) invalid number '0x10'
(h12-chk-nums.conf: Line 9) Invalid retry connection value '0x10'
(h12-chk-nums.conf: Line 10) invalid number 'abc'
(h12-chk-nums.conf: Line 10) Invalid fwmark connection value 'abc'
(h12-chk-nums.conf: Line 11) invalid number 'abc'
(h12-chk-nums.conf: Line 13) number '0' outside range [0.000001, 18446744073709.551614]
(h12-chk-nums.conf: Line 13) delay_loop '0' is invalid - ignoring
(h12-chk-nums.conf: Line 14) Unknown keyword 'nb_get_retry'
(h12-chk-nums.conf: Line 17) nb_get_retry is deprecated - please use 'retry'
"#,
        5,
    ),
    (
        "h12-ttl-garp.conf",
        r#"vrrp_instance VI {
 interface eth0
 virtual_router_id 5
 unicast_peer {
  10.0.0.2
 }
 unicast_ttl 300
 garp_master_refresh abc
 garp_master_delay abc
 priority ""
 virtual_ipaddress {
  10.0.0.1
 }
}
global_defs {
 vrrp_garp_master_refresh 1.5
 vrrp_rlimit_rtime 0
}
"#,
        r#"(Line 16) invalid number '1.5'
(Line 16) Invalid vrrp_garp_master_refresh '1.5' - ignoring
(Line 17) number '0' outside range [1, 4294967295]
(Line 17) Invalid vrrp real-time limit - 0
(h12-ttl-garp.conf: Line 7) number '300' outside range [0, 255]
(h12-ttl-garp.conf: Line 7) (VI): TTL '300' not valid - must be between 0 & 255
(h12-ttl-garp.conf: Line 8) invalid number 'abc'
(h12-ttl-garp.conf: Line 8) (VI): Invalid garp_master_refresh 'abc' - ignoring
(h12-ttl-garp.conf: Line 9) invalid number 'abc'
(h12-ttl-garp.conf: Line 9) (VI): garp_master_delay 'abc' invalid - ignoring
(h12-ttl-garp.conf: Line 10) number '' outside range [1, 255]
(h12-ttl-garp.conf: Line 10) (VI) Priority not valid! must be between 1 & 255. Using default 100
"#,
        5,
    ),
    (
        "h12-default-user.conf",
        r#"global_defs {
 enable_script_security
}
virtual_server 10.0.0.1 80 {
 protocol TCP
 quorum_up "/bin/true"
 real_server 10.0.0.2 80 {
  notify_up /bin/true
 }
}
vrrp_instance VI {
 interface eth0
 virtual_router_id 5
 notify_master "/usr/bin/logger b"
 virtual_ipaddress {
  10.0.0.1
 }
}
vrrp_sync_group G {
 group {
  VI
 }
 notify_backup /bin/true
}
"#,
        r#"(h12-default-user.conf: Line 6) Unable to set default user keepalived_script for script
Virtual server [10.0.0.1]:tcp:80: no scheduler set, setting default 'wlc'
Virtual server [10.0.0.1]:tcp:80: no forwarding method set, setting default NAT
Sync group G has only 1 virtual router(s) - this probably isn't what you want
"#,
        5,
    ),
    (
        "h12-novip-order.conf",
        r#"global_defs {
 script_user root
 enable_script_security
}
vrrp_script s {
 script /bin/true
 weight 5
}
vrrp_sync_group G {
 group {
  A
  B
 }
}
vrrp_instance A {
 interface eth0
 virtual_router_id 5
 unicast_src_ip 10.0.0.1
 track_interface {
  eth0
 }
 track_script {
  s
 }
}
vrrp_instance B {
 interface eth0
 virtual_router_id 6
 unicast_src_ip 10.0.0.1
 track_interface {
  eth0
 }
 track_script {
  s
 }
}
"#,
        r#"(A) No VIP specified; at least one is sensible
(A) A unicast keyword has been specified without any unicast peers. Defaulting to multicast. This usage is deprecated - please update your configuration.
(A) Ignoring track_interface eth0 since own interface
(A) No VIP specified; at least one is sensible
(A) ignoring tracked script s with weights due to SYNC group
(B) No VIP specified; at least one is sensible
(B) A unicast keyword has been specified without any unicast peers. Defaulting to multicast. This usage is deprecated - please update your configuration.
(B) Ignoring track_interface eth0 since own interface
(B) No VIP specified; at least one is sensible
(B) ignoring tracked script s with weights due to SYNC group
"#,
        5,
    ),
    (
        "h12-quotes.conf",
        r#"global_defs {
 script_user root
 enable_script_security
}
vrrp_instance VI {
 interface eth0
 virtual_router_id 5
 notify_master /usr/bin/logger lower"
 notify_backup /usr/bin/logger x'
 notify_fault /usr/bin/logger lo"wer
 virtual_ipaddress {
  10.0.0.1
 }
}
virtual_server 10.0.0.1 80 {
 protocol TCP
 quorum_up "/bin/true 10.0.0.1/33
 real_server 10.0.0.2 80 {
 }
}
"#,
        r#"(Line 8) Unterminated quote 'notify_master /usr/bin/logger lower"'
(Line 8) Unmatched quote: 'notify_master /usr/bin/logger lower"'
(Line 10) Unterminated quote 'notify_fault /usr/bin/logger lo"wer'
(Line 10) Unmatched quote: 'notify_fault /usr/bin/logger lo"wer'
(Line 17) Unterminated quote 'quorum_up "/bin/true 10.0.0.1/33'
(Line 17) Unmatched quote: 'quorum_up "/bin/true 10.0.0.1/33'
(h12-quotes.conf: Line 8) Unterminated quote 'notify_master /usr/bin/logger lower"'
(h12-quotes.conf: Line 8) Unmatched quote: 'notify_master /usr/bin/logger lower"'
(h12-quotes.conf: Line 10) Unterminated quote 'notify_fault /usr/bin/logger lo"wer'
(h12-quotes.conf: Line 10) Unmatched quote: 'notify_fault /usr/bin/logger lo"wer'
(h12-quotes.conf: Line 17) Unterminated quote 'quorum_up "/bin/true 10.0.0.1/33'
(h12-quotes.conf: Line 17) Unmatched quote: 'quorum_up "/bin/true 10.0.0.1/33'
(h12-quotes.conf: Line 17) String 'quorum_up "/bin/true 10.0.0.1/33': missing terminating "
Virtual server [10.0.0.1]:tcp:80: no scheduler set, setting default 'wlc'
Virtual server [10.0.0.1]:tcp:80: no forwarding method set, setting default NAT
(h12-quotes.conf: Line 8) Unterminated quote 'notify_master /usr/bin/logger lower"'
(h12-quotes.conf: Line 8) Unmatched quote: 'notify_master /usr/bin/logger lower"'
(h12-quotes.conf: Line 10) Unterminated quote 'notify_fault /usr/bin/logger lo"wer'
(h12-quotes.conf: Line 10) Unmatched quote: 'notify_fault /usr/bin/logger lo"wer'
(h12-quotes.conf: Line 10) String 'notify_fault /usr/bin/logger lo"wer': missing terminating "
(h12-quotes.conf: Line 17) Unterminated quote 'quorum_up "/bin/true 10.0.0.1/33'
(h12-quotes.conf: Line 17) Unmatched quote: 'quorum_up "/bin/true 10.0.0.1/33'
(h12-quotes.conf: Line 8) Unterminated quote 'notify_master /usr/bin/logger lower"'
(h12-quotes.conf: Line 8) Unmatched quote: 'notify_master /usr/bin/logger lower"'
(h12-quotes.conf: Line 10) Unterminated quote 'notify_fault /usr/bin/logger lo"wer'
(h12-quotes.conf: Line 10) Unmatched quote: 'notify_fault /usr/bin/logger lo"wer'
(h12-quotes.conf: Line 17) Unterminated quote 'quorum_up "/bin/true 10.0.0.1/33'
(h12-quotes.conf: Line 17) Unmatched quote: 'quorum_up "/bin/true 10.0.0.1/33'
"#,
        5,
    ),
];
