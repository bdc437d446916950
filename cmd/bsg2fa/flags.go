package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/go-bsg/bsg2fa/wrapper"
)

// flagSet is a subcommand's flags with the text of its usage.
type flagSet struct {
	*flag.FlagSet
	path     string // e.g. "templates create"
	synopsis string // what follows the command in the usage line
	about    string
}

func newFlagSet(path, synopsis, about string) *flagSet {
	fs := flag.NewFlagSet("bsg2fa "+path, flag.ContinueOnError)
	// The flag package would print its own usage on every error; report prints ours instead.
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return &flagSet{FlagSet: fs, path: path, synopsis: synopsis, about: about}
}

// usage writes the usage line, the description and the flags.
func (f *flagSet) usage(w io.Writer) {
	line := "bsg2fa " + f.path
	if f.synopsis != "" {
		line += " " + f.synopsis
	}
	fmt.Fprintf(w, "Usage: %s\n", line)
	if f.about != "" {
		fmt.Fprintf(w, "\n%s\n", f.about)
	}
	hasFlags := false
	f.VisitAll(func(*flag.Flag) { hasFlags = true })
	if hasFlags {
		fmt.Fprintln(w, "\nFlags:")
		f.SetOutput(w)
		f.PrintDefaults()
		f.SetOutput(io.Discard)
	}
}

// fail is a usage error of this command.
func (f *flagSet) fail(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...), usage: f.usage}
}

// failField is a usage error of this command about one flag or argument.
func (f *flagSet) failField(field, format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...), usage: f.usage, field: field}
}

// isSet reports whether the flag name was given on the command line.
func (f *flagSet) isSet(name string) bool {
	set := false
	f.Visit(func(fl *flag.Flag) { set = set || fl.Name == name })
	return set
}

// parse reads the flags wherever they stand among the positional arguments ("verify ID CODE
// -json" as well as "verify -json ID CODE") and returns the positional arguments, named by
// names for the messages; a name in brackets ("[CODE]") is optional. Everything after "--"
// is positional.
func (f *flagSet) parse(args []string, names ...string) ([]string, error) {
	var pos []string
	for {
		if err := f.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, &helpRequest{usage: f.usage}
			}
			var field string
			if m := flagInError.FindStringSubmatch(err.Error()); m != nil {
				field = m[1]
			}
			return nil, f.failField(field, "%v", err)
		}
		rest := f.Args()
		if len(rest) == 0 {
			break
		}
		// Parse stops at the first positional argument, or consumes "--" and stops after it.
		// (A flag given "--" as its value, "-sender --", reads as the latter: rare enough.)
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			pos = append(pos, rest...)
			break
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
	if len(pos) > len(names) {
		return nil, f.fail("unexpected argument %q", pos[len(names)])
	}
	if len(pos) < len(names) && !strings.HasPrefix(names[len(pos)], "[") {
		return nil, f.fail("missing argument %s", names[len(pos)])
	}
	return pos, nil
}

// flagInError finds the flag an error of the flag package is about.
var flagInError = regexp.MustCompile(`(?:not defined: |for flag |needs an argument: )(-[A-Za-z0-9-]+)`)

// clientFlags are the flags of every command that calls the service.
type clientFlags struct {
	apiKey  string
	baseURL string
	timeout time.Duration
	json    bool
	verbose bool
}

func addClientFlags(f *flagSet) *clientFlags {
	cf := &clientFlags{}
	f.StringVar(&cf.apiKey, "api-key", "", "the API `key`; prefer the BSG_API_KEY environment variable: flags show in process lists")
	f.StringVar(&cf.baseURL, "base-url", "", "the service's `url` (default $BSG_BASE_URL, or "+wrapper.DefaultBaseURL+")")
	f.DurationVar(&cf.timeout, "timeout", wrapper.DefaultTimeout, "time limit of each HTTP exchange")
	f.BoolVar(&cf.json, "json", false, "print the result as JSON, for scripts, and a failure as one JSON object on stderr")
	f.BoolVar(&cf.verbose, "v", false, "log each HTTP exchange to stderr (method, path, status, time; never secrets)")
	return cf
}

// newClient makes the wrapper client from the flags and the environment. What is wrong here
// is the caller's setup, so it is a usage error (exit 2).
func (c *cli) newClient(f *flagSet, cf *clientFlags) (*wrapper.Client, error) {
	key := cf.apiKey
	if key == "" {
		key = c.getenv("BSG_API_KEY")
	}
	if strings.TrimSpace(key) == "" {
		return nil, &usageError{msg: "no API key: set BSG_API_KEY (or -api-key)"}
	}
	if cf.timeout <= 0 {
		return nil, f.failField("-timeout", "-timeout must be positive")
	}
	opts := []wrapper.Option{wrapper.WithBaseURL(c.baseURL(cf)), wrapper.WithTimeout(cf.timeout)}
	if cf.verbose {
		logOpts := &slog.HandlerOptions{Level: slog.LevelDebug}
		var h slog.Handler = slog.NewTextHandler(c.stderr, logOpts)
		if cf.json {
			// With -json, stderr stays machine-readable: one JSON object per line.
			h = slog.NewJSONHandler(c.stderr, logOpts)
		}
		opts = append(opts, wrapper.WithLogger(slog.New(h)))
	}
	client, err := wrapper.New(key, opts...)
	if err != nil {
		// New's errors name the option at fault and never the key; say which setting set it.
		msg := strings.TrimPrefix(cleanMessage(err.Error()), "New: ")
		if rest, ok := strings.CutPrefix(msg, "WithBaseURL: "); ok {
			name := "-base-url"
			if cf.baseURL == "" {
				name = "BSG_BASE_URL"
			}
			return nil, &usageError{msg: name + ": " + rest, field: name}
		}
		return nil, &usageError{msg: msg}
	}
	return client, nil
}

// baseURL is the service's address: -base-url, else $BSG_BASE_URL, else the real service.
func (c *cli) baseURL(cf *clientFlags) string {
	if cf.baseURL != "" {
		return cf.baseURL
	}
	if base := c.getenv("BSG_BASE_URL"); base != "" {
		return base
	}
	return wrapper.DefaultBaseURL
}

// isLoopbackURL reports whether rawURL names this machine (localhost, 127.0.0.0/8, ::1):
// a sandbox, never the real service.
func isLoopbackURL(rawURL string) bool {
	u, err := url.Parse(rawURL)
	if err != nil {
		return false
	}
	if strings.EqualFold(u.Hostname(), "localhost") {
		return true
	}
	addr, err := netip.ParseAddr(u.Hostname())
	return err == nil && addr.Unmap().IsLoopback()
}

// listFlag is a comma-separated list; repeating the flag adds to it.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(s string) error {
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			*l = append(*l, v)
		}
	}
	return nil
}

// dateFlag is a calendar day, YYYY-MM-DD, in UTC (the service's dates are UTC).
type dateFlag struct{ t time.Time }

func (d *dateFlag) String() string {
	if d == nil || d.t.IsZero() {
		return ""
	}
	return d.t.Format(time.DateOnly)
}

func (d *dateFlag) Set(s string) error {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return errors.New("want a date as YYYY-MM-DD")
	}
	d.t = t
	return nil
}

// globalFlags are the client flags also accepted before the command, "bsg2fa -json send …"
// as well as "bsg2fa send … -json"; the value says whether the flag takes a value.
var globalFlags = map[string]bool{"v": false, "json": false, "base-url": true}

// splitGlobals takes the global flags from the front of args, with their values, and returns
// them apart from the rest, which starts with the command.
func splitGlobals(args []string) (globals, rest []string) {
	for len(args) > 0 {
		name, hasValue := flagName(args[0])
		takesValue, ok := globalFlags[name]
		if !ok {
			break
		}
		n := 1
		if takesValue && !hasValue && len(args) > 1 {
			n = 2
		}
		globals = append(globals, args[:n]...)
		args = args[n:]
	}
	return globals, args
}

// wantsJSON reports whether the command line asks for JSON anywhere before "--", so that
// even a failure to parse it is reported as JSON.
func wantsJSON(args []string) bool {
	asJSON := false
	for _, a := range args {
		if a == "--" {
			break
		}
		if name, hasValue := flagName(a); name == "json" {
			asJSON = true
			if hasValue {
				v, err := strconv.ParseBool(a[strings.IndexByte(a, '=')+1:])
				asJSON = err != nil || v
			}
		}
	}
	return asJSON
}

// flagName returns the name of a flag argument ("-json", "--base-url=x") and whether the
// value is attached; it is "" for anything that is not a flag.
func flagName(arg string) (name string, hasValue bool) {
	if len(arg) < 2 || arg[0] != '-' || arg == "--" {
		return "", false
	}
	name = strings.TrimPrefix(arg[1:], "-")
	name, _, hasValue = strings.Cut(name, "=")
	return name, hasValue
}
