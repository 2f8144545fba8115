-- Prosody 0.12 for the conformance tests: one virtual host, one external component (XEP-0114),
-- plain-text c2s on loopback, no s2s, no HTTP, everything in the instance's temp dir.
-- Placeholders in double braces are filled by conformance/prosody/prosody.ts.

pidfile = "{{DATA_DIR}}/prosody.pid"
data_path = "{{DATA_DIR}}"
certificates = "{{DATA_DIR}}/certs"
run_as_root = true

log = { { levels = { min = "info" }, to = "console" } }

interfaces = { "{{HOST}}" }
local_interfaces = { "{{HOST}}" }
c2s_interfaces = { "{{HOST}}" }
c2s_ports = { {{C2S_PORT}} }
component_interfaces = { "{{HOST}}" }
component_ports = { {{COMPONENT_PORT}} }
s2s_ports = {}
c2s_direct_tls_ports = {}
s2s_direct_tls_ports = {}
http_ports = {}
https_ports = {}
legacy_ssl_ports = {}

modules_enabled = {
	"roster";
	"saslauth";
	"disco";
	"ping";
	"posix";
}
modules_disabled = { "s2s"; "tls"; "http"; "offline"; "c2s_direct_tls"; "s2s_direct_tls" }

authentication = "internal_plain"
storage = "internal"
c2s_require_encryption = false
s2s_require_encryption = false
allow_unencrypted_plain_auth = true
allow_registration = false

VirtualHost "{{DOMAIN}}"

Component "{{COMPONENT_DOMAIN}}"
	component_secret = "{{COMPONENT_SECRET}}"
