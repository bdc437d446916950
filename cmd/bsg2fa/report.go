package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-bsg/bsg2fa/report"
)

const reportAbout = `Report what one-time passwords cost and how many were entered over a period: sessions,
their statuses, conversion (verified of finished, and of all), messages, spend per currency
(exact sums) and the time to verify, per day, country or channel and in total, with the
suspects of SMS pumping (countries and groups of numbers with many codes and few entered).

Formats: table (aligned, the total last), csv (RFC 4180, for spreadsheets), json, and html
(one self-contained page with charts, for a browser, a mail or paper). With -o the file is
written whole or not at all. On a terminal a progress line shows on stderr unless -q.`

// reportFormats are the forms -format takes, by the file name endings -o infers them from.
var reportFormats = map[string]func(*report.Report, io.Writer) error{
	"table": (*report.Report).WriteTable,
	"csv":   (*report.Report).WriteCSV,
	"json":  (*report.Report).WriteJSON,
	"html":  (*report.Report).WriteHTML,
}

func (c *cli) reportCommand(args []string) error {
	f := newFlagSet("report", "", reportAbout)
	var (
		from, to    dateFlag
		by, format  string
		outPath     string
		quiet       bool
		minSessions int
		rate        float64
	)
	f.Var(&from, "from", "first `day`, YYYY-MM-DD (default the first of the month of -to, UTC)")
	f.Var(&to, "to", "last `day`, YYYY-MM-DD (default today, UTC)")
	f.StringVar(&by, "by", "day", "group the rows by day, country and/or channel, comma-separated")
	f.StringVar(&format, "format", "table", "table, csv, json or html (default from the -o file name, else table)")
	f.StringVar(&outPath, "o", "", "write to `file` instead of stdout")
	f.BoolVar(&quiet, "q", false, "show no progress line")
	f.IntVar(&minSessions, "suspect-sessions", report.DefaultSuspectMinSessions, "a suspect has at least this many sessions …")
	f.Float64Var(&rate, "suspect-rate", report.DefaultSuspectRate, "… and less than this share of them verified")
	cf := addClientFlags(f)
	if _, err := f.parse(args); err != nil {
		return err
	}
	dims, err := report.ParseDimensions(by)
	if err != nil {
		return f.fail("-by: %s", strings.TrimPrefix(err.Error(), report.ErrInvalidRequest.Error()+": "))
	}
	format = chooseFormat(f, format, outPath, cf.json)
	write, ok := reportFormats[format]
	if !ok {
		return f.fail("-format must be table, csv, json or html")
	}
	today, _ := time.Parse(time.DateOnly, c.now().UTC().Format(time.DateOnly))
	if to.t.IsZero() {
		to.t = today
	}
	if from.t.IsZero() {
		from.t = to.t.AddDate(0, 0, 1-to.t.Day())
	}
	switch {
	case to.t.Before(from.t):
		return f.fail("-from %s is after -to %s", from.t.Format(time.DateOnly), to.t.Format(time.DateOnly))
	case minSessions < 1:
		return f.fail("-suspect-sessions must be at least 1")
	case !(rate > 0 && rate <= 1):
		return f.fail("-suspect-rate must be above 0 and at most 1")
	}
	client, err := c.newClient(f, cf)
	if err != nil {
		return err
	}

	// The file is made first, as a temporary file beside it, so that a path that cannot be
	// written fails before a long walk; it takes the name only once it is complete.
	var out *pendingFile
	if outPath != "" {
		if out, err = createPending(outPath); err != nil {
			return err
		}
		defer out.discard()
	}
	req := report.Request{From: from.t, To: to.t, By: dims, Suspects: report.SuspectRule{MinSessions: minSessions, Rate: rate}}
	line := &progressLine{w: c.stderr}
	if !quiet && isTerminal(c.stderr) {
		req.Progress = line.show
	}
	rep, err := report.Build(c.ctx, client, req)
	line.clear() // before anything else reaches the terminal
	if err != nil {
		return c.reportStopped(err, out != nil)
	}
	if out == nil {
		return write(rep, c.stdout)
	}
	if err := write(rep, out.w); err != nil {
		return err
	}
	return out.commit()
}

// chooseFormat is -format when given, else the -o file's ending, else -json's, else table.
func chooseFormat(f *flagSet, format, outPath string, json bool) string {
	set := false
	f.Visit(func(fl *flag.Flag) { set = set || fl.Name == "format" })
	if set {
		return strings.ToLower(format)
	}
	ext := strings.ToLower(strings.TrimPrefix(filepath.Ext(outPath), "."))
	if ext == "htm" {
		ext = "html"
	}
	if _, ok := reportFormats[ext]; ok {
		return ext
	}
	if json {
		return "json"
	}
	return format
}

// reportStopped says how far a walk that did not finish got; an interruption too, which is
// why it does not match context.Canceled (the generic handling would shorten it to
// "interrupted").
func (c *cli) reportStopped(err error, toFile bool) error {
	var inc *report.IncompleteError
	if !errors.As(err, &inc) {
		return err
	}
	how := fmt.Sprintf("after %d %s (%d", inc.Pages, plural(inc.Pages, "page"), inc.Sessions)
	if inc.Total > 0 {
		how += fmt.Sprintf(" of %d", inc.Total)
	}
	how += " sessions)"
	if toFile {
		how += "; no file written"
	}
	if c.ctx.Err() != nil {
		return &stoppedError{msg: "interrupted " + how}
	}
	return &stoppedError{msg: "stopped " + how + ": " + strings.TrimPrefix(inc.Err.Error(), "bsg2fa: "), err: inc.Err}
}

// stoppedError is a walk that stopped part of the way; it wraps the failure, if any.
type stoppedError struct {
	msg string
	err error
}

func (e *stoppedError) Error() string { return e.msg }
func (e *stoppedError) Unwrap() error { return e.err }

// pendingFile is an output file being written under a temporary name in its directory.
type pendingFile struct {
	path string
	tmp  *os.File
	w    *bufio.Writer
	done bool
}

func createPending(path string) (*pendingFile, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, err
	}
	return &pendingFile{path: path, tmp: tmp, w: bufio.NewWriter(tmp)}, nil
}

// commit flushes the file to disk and gives it its name, keeping the mode of a file it
// replaces (0644 for a new one).
func (p *pendingFile) commit() error {
	mode := os.FileMode(0o644)
	if st, err := os.Stat(p.path); err == nil {
		mode = st.Mode().Perm()
	}
	err := p.w.Flush()
	if err == nil {
		err = p.tmp.Chmod(mode)
	}
	if err == nil {
		err = p.tmp.Sync()
	}
	if cerr := p.tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(p.tmp.Name(), p.path)
	}
	if err != nil {
		return err
	}
	p.done = true
	return nil
}

// discard removes the temporary file unless commit renamed it.
func (p *pendingFile) discard() {
	if p.done {
		return
	}
	_ = p.tmp.Close()
	_ = os.Remove(p.tmp.Name())
}

// isTerminal reports whether w is a terminal; tests replace it.
var isTerminal = func(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// progressLine rewrites one line of a terminal with how far a report has got.
type progressLine struct {
	w     io.Writer
	shown bool
}

func (l *progressLine) show(p report.Progress) {
	msg := fmt.Sprintf("%d %s, %d", p.Pages, plural(p.Pages, "page"), p.Sessions)
	if p.Total > 0 {
		msg += fmt.Sprintf(" of %d", p.Total)
	}
	msg += fmt.Sprintf(" sessions, %.0f/s", p.Rate())
	if left, ok := p.Remaining(); ok {
		msg += fmt.Sprintf(", %s left", left.Round(time.Second))
	}
	// \r returns to the line's start and ESC [K clears what a longer line left.
	fmt.Fprintf(l.w, "\r%s\x1b[K", msg)
	l.shown = true
}

// clear removes the line, so that what follows starts on a clean line.
func (l *progressLine) clear() {
	if l.shown {
		fmt.Fprint(l.w, "\r\x1b[K")
	}
}
