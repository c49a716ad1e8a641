// Command caddy is Caddy v2 with Berth's modules (package berthedge).
package main

import (
	caddycmd "github.com/caddyserver/caddy/v2/cmd"

	_ "github.com/caddyserver/caddy/v2/modules/standard"

	_ "berth.dev/edge"
)

func main() {
	caddycmd.Main()
}
