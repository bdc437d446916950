package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
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
			return nil, f.fail("%v", err)
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
	f.BoolVar(&cf.json, "json", false, "print the result as JSON, for scripts")
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
	base := cf.baseURL
	if base == "" {
		base = c.getenv("BSG_BASE_URL")
	}
	if base == "" {
		base = wrapper.DefaultBaseURL
	}
	if cf.timeout <= 0 {
		return nil, f.fail("-timeout must be positive")
	}
	opts := []wrapper.Option{wrapper.WithBaseURL(base), wrapper.WithTimeout(cf.timeout)}
	if cf.verbose {
		opts = append(opts, wrapper.WithLogger(slog.New(slog.NewTextHandler(c.stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	}
	client, err := wrapper.New(key, opts...)
	if err != nil {
		// New's errors name the option at fault and never the key.
		return nil, &usageError{msg: strings.TrimPrefix(err.Error(), "bsg2fa: ")}
	}
	return client, nil
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
