// Command bsg2fa sends and verifies one-time passwords through the BSG 2FA API, and runs a
// local sandbox of that API for trying integrations without an account, a phone or a bill.
//
//	bsg2fa demo                      # the whole story against an in-process sandbox
//	bsg2fa sandbox -addr 127.0.0.1:8025
//	BSG_API_KEY=… bsg2fa send -to +380501234567 -sender MyShop -template 12
//	BSG_API_KEY=… bsg2fa verify <id> <code>
//
// Run "bsg2fa -h" for every command and "bsg2fa <command> -h" for its flags.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/go-bsg/bsg2fa/wrapper"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

// Exit statuses.
const (
	exitOK      = 0
	exitFailure = 1 // the service, the network or the local machine failed
	exitUsage   = 2 // the command line is wrong, including values the client refuses
)

// cli is one run of the program: its streams, environment and clock, so tests run it whole.
type cli struct {
	ctx    context.Context
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
	now    func() time.Time
	path   string // the command being run, e.g. "templates create", for error messages

	json     bool              // -json anywhere on the command line: failures too are printed as JSON
	flagOf   map[string]string // request field → the flag that sets it (see nameFields)
	reasonOf map[string]string // request field → what to say instead of the wrapper's reason
}

// run runs the program with args (without the program name) and returns its exit status.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	c := &cli{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv, now: time.Now}
	return c.run(args)
}

// run runs one command line and returns its exit status.
func (c *cli) run(args []string) int {
	c.json = wantsJSON(args)
	return c.report(c.dispatch(args))
}

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(c *cli, args []string) error
}

// commands lists the top-level commands in the order the usage shows them. It is a function,
// not a variable, because the commands refer back to the usage.
func commands() []command {
	return []command{
		{"demo", "tell the whole story against an in-process sandbox", (*cli).demo},
		{"sandbox", "serve a local BSG 2FA API (default 127.0.0.1:8025)", (*cli).sandbox},
		{"code", "print the code a running sandbox last sent to a phone", (*cli).code},
		{"send", "send a one-time password", (*cli).send},
		{"resend", "send a new code for a pending session", (*cli).resend},
		{"verify", "check a code", (*cli).verify},
		{"cancel", "cancel a pending session", (*cli).cancel},
		{"status", "show a session with its messages and price", (*cli).status},
		{"list", "list sessions (today's by default)", (*cli).list},
		{"templates", "list, get, create or delete message templates", (*cli).templates},
		{"report", "cost and conversion over a period: table, CSV, JSON or HTML", (*cli).reportCommand},
		{"version", "print the version", (*cli).version},
	}
}

const topUsage = `bsg2fa sends and verifies one-time passwords (SMS, Viber) through the BSG 2FA API,
and runs a local sandbox of that API.

Usage: bsg2fa [-v] [-json] [-base-url URL] <command> [flags] [arguments]

Commands:
%s
Environment:
  BSG_API_KEY   the API key. Prefer it to -api-key: flags show in process lists and
                shell history. The key is never printed.
  BSG_BASE_URL  the service's address (default %s);
                http:// only for loopback hosts, e.g. http://127.0.0.1:8025 for the sandbox.
  BSG_TEMPLATE_ID, BSG_SENDER
                the template and sender of send when -template and -sender are not given;
                required against the real service, which has no default template.

Exit status:
  0  success
  1  the service or the network failed; the service's message and HTTP status are printed
  2  the command line is wrong: an unknown command or flag, a missing argument, or a value
     the client refuses before sending anything (a malformed phone number, code, id …)
With -json, a failure prints one JSON object to stderr instead of a line of text:
  {"error":{"kind":"wrong_code","status":404,"message":"…","field":null,"retry_after":null}}

Run 'bsg2fa <command> -h' for the flags of a command.
`

func topLevelUsage(w io.Writer) {
	var b strings.Builder
	for _, cmd := range commands() {
		fmt.Fprintf(&b, "  %-10s %s\n", cmd.name, cmd.summary)
	}
	fmt.Fprintf(w, topUsage, b.String(), wrapper.DefaultBaseURL)
}

func (c *cli) dispatch(args []string) error {
	// Global flags before the command ("bsg2fa -json send …") go to the command.
	globals, args := splitGlobals(args)
	if len(args) == 0 {
		return &usageError{msg: "no command given", usage: topLevelUsage}
	}
	name := args[0]
	switch name {
	case "-h", "-help", "--help":
		return &helpRequest{usage: topLevelUsage}
	case "help":
		if len(args) == 1 {
			return &helpRequest{usage: topLevelUsage}
		}
		// "bsg2fa help send" is "bsg2fa send -h"; "bsg2fa help templates create" works too.
		return c.dispatch(append(args[1:len(args):len(args)], "-h"))
	}
	for _, cmd := range commands() {
		if cmd.name == name {
			c.path = name
			return cmd.run(c, append(globals, args[1:]...))
		}
	}
	return &usageError{msg: fmt.Sprintf("unknown command %q", name), usage: topLevelUsage}
}

func (c *cli) version(args []string) error {
	f := newFlagSet("version", "", "Print the version of the client library.")
	if _, err := f.parse(args); err != nil {
		return err
	}
	fmt.Fprintln(c.stdout, "bsg2fa", wrapper.Version)
	return nil
}

// helpRequest is -h or -help: the usage goes to stdout and the exit status is 0.
type helpRequest struct {
	usage func(io.Writer)
}

func (h *helpRequest) Error() string { return "help requested" }

// usageError is a command line that cannot run: the message and the usage go to stderr and
// the exit status is 2.
type usageError struct {
	msg   string
	usage func(io.Writer) // nil: only a hint to run -h
	field string          // the flag or argument at fault, when there is one
}

func (e *usageError) Error() string { return e.msg }

// report prints err as the user should see it and returns the exit status.
//
// A *wrapper.ValidationError is the caller's input refused before anything was sent, like a
// bad flag, so it exits 2; everything the service or the network says exits 1. With -json the
// failure is one JSON object on stderr instead (see writeErrorJSON), with the same status.
func (c *cli) report(err error) int {
	if err == nil {
		return exitOK
	}
	prefix := "bsg2fa"
	if c.path != "" {
		prefix += " " + c.path
	}
	var help *helpRequest
	if errors.As(err, &help) {
		help.usage(c.stdout)
		return exitOK
	}
	code, msg := c.describe(err)
	if c.json {
		c.writeErrorJSON(c.stderr, err, msg)
		return code
	}
	fmt.Fprintf(c.stderr, "%s: %s\n", prefix, msg)
	var usage *usageError
	if errors.As(err, &usage) {
		if usage.usage != nil {
			fmt.Fprintln(c.stderr)
			usage.usage(c.stderr)
		} else {
			fmt.Fprintf(c.stderr, "Run '%s -h' for usage.\n", prefix)
		}
	}
	return code
}

// describe returns the exit status of err and its message, without the program's prefix.
// The wrapper's errors carry no secrets (no key, bearer or code), so they are shown whole.
func (c *cli) describe(err error) (int, string) {
	var usage *usageError
	if errors.As(err, &usage) {
		return exitUsage, usage.msg
	}
	var verr *wrapper.ValidationError
	if errors.As(err, &verr) {
		return exitUsage, c.validationMessage(verr)
	}
	if c.ctx.Err() != nil && errors.Is(err, context.Canceled) {
		return exitFailure, "interrupted"
	}
	msg := cleanMessage(err.Error())
	var apiErr *wrapper.APIError
	if errors.As(err, &apiErr) && !strings.Contains(msg, fmt.Sprint(apiErr.StatusCode)) {
		msg = fmt.Sprintf("%s (HTTP %d)", msg, apiErr.StatusCode)
	}
	return exitFailure, msg
}
