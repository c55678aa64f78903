// compose-config loads, interpolates and validates a compose file with compose-go, the library
// `docker compose config` is built on, and prints the resolved project as JSON. This machine has the Docker
// CLI but no compose plugin and no engine; this is how deploy/compose is validated here.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/compose-spec/compose-go/v2/cli"
)

func main() {
	options, err := cli.NewProjectOptions(os.Args[1:], cli.WithOsEnv, cli.WithDotEnv)
	if err != nil {
		fail(err)
	}
	project, err := options.LoadProject(context.Background())
	if err != nil {
		fail(err)
	}
	resolved, err := project.MarshalJSON()
	if err != nil {
		fail(err)
	}
	os.Stdout.Write(resolved)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "compose-config:", err)
	os.Exit(1)
}
