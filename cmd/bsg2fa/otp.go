package main

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/go-bsg/bsg2fa/wrapper"
)

func (c *cli) send(args []string) error {
	f := newFlagSet("send", "-to NUMBER -sender NAME [flags]",
		"Send a one-time password and print the new session. Its id is what verify, resend,\ncancel and status take.")
	var (
		to, channel, sender, senderAlt string
		template, tries, digits        int
		lifetime                       time.Duration
	)
	f.StringVar(&to, "to", "", "the recipient's phone `number` in international form, e.g. +380501234567 (required)")
	f.StringVar(&channel, "channel", "sms", "sms or viber")
	f.StringVar(&sender, "sender", "", "the sender `name` (3-11 characters) or number (3-15 digits) (required)")
	f.StringVar(&senderAlt, "sender-alt", "", "viber only: the SMS sender `name` used when Viber cannot deliver")
	f.IntVar(&template, "template", 1, "the approved template's `id`")
	f.DurationVar(&lifetime, "lifetime", 5*time.Minute, "how long the code stays valid, 30s-5m")
	f.IntVar(&tries, "tries", 3, "verification attempts allowed, 1-5")
	f.IntVar(&digits, "digits", 6, "length of the code, 3-9")
	cf := addClientFlags(f)
	if _, err := f.parse(args); err != nil {
		return err
	}
	switch {
	case to == "":
		return f.fail("-to is required")
	case sender == "":
		return f.fail("-sender is required")
	}
	client, err := c.newClient(f, cf)
	if err != nil {
		return err
	}
	a, err := client.SendOTP(c.ctx, wrapper.SendOTPRequest{
		Recipient:    to,
		Channel:      wrapper.Channel(channel),
		Sender:       sender,
		SenderAlt:    senderAlt,
		TemplateID:   template,
		CodeLifetime: lifetime,
		CodeMaxTries: tries,
		CodeDigits:   digits,
	})
	if err != nil {
		return err
	}
	return c.printAuthentication(cf, a)
}

// sessionCommand is resend, cancel and status: one positional id, one call.
func (c *cli) sessionCommand(args []string, name, about string, call func(*wrapper.Client, string) (*wrapper.Authentication, error)) error {
	f := newFlagSet(name, "[flags] ID", about)
	cf := addClientFlags(f)
	pos, err := f.parse(args, "ID")
	if err != nil {
		return err
	}
	client, err := c.newClient(f, cf)
	if err != nil {
		return err
	}
	a, err := call(client, pos[0])
	if err != nil {
		return err
	}
	return c.printAuthentication(cf, a)
}

func (c *cli) resend(args []string) error {
	return c.sessionCommand(args, "resend",
		"Send a new code for a pending session; the previous code stops working.",
		func(cl *wrapper.Client, id string) (*wrapper.Authentication, error) { return cl.ResendOTP(c.ctx, id) })
}

func (c *cli) cancel(args []string) error {
	return c.sessionCommand(args, "cancel", "Cancel a pending session.",
		func(cl *wrapper.Client, id string) (*wrapper.Authentication, error) { return cl.CancelOTP(c.ctx, id) })
}

func (c *cli) status(args []string) error {
	return c.sessionCommand(args, "status", "Show a session with its messages and price.",
		func(cl *wrapper.Client, id string) (*wrapper.Authentication, error) {
			return cl.GetAuthentication(c.ctx, id)
		})
}

func (c *cli) verify(args []string) error {
	f := newFlagSet("verify", "[flags] ID [CODE]",
		"Check the code the user typed. A wrong code exits 1 with the service's message and\n"+
			"counts as an attempt. The code is never printed. \"-code -\" reads it from standard\n"+
			"input, which keeps it out of the shell history.")
	var code string
	f.StringVar(&code, "code", "", "the `code` the user typed, instead of the second argument; - reads it from stdin")
	cf := addClientFlags(f)
	pos, err := f.parse(args, "ID", "[CODE]")
	if err != nil {
		return err
	}
	switch {
	case len(pos) == 2 && code != "":
		return f.fail("give the code either as an argument or with -code, not both")
	case len(pos) == 2:
		code = pos[1]
	case code == "":
		return f.fail("missing argument: the code (or -code)")
	}
	if code == "-" {
		line, err := bufio.NewReader(c.stdin).ReadString('\n')
		if err != nil && err != io.EOF {
			return fmt.Errorf("reading the code from stdin: %w", err)
		}
		code = strings.TrimSpace(line)
		if code == "" {
			return f.fail("no code on stdin")
		}
	}
	client, err := c.newClient(f, cf)
	if err != nil {
		return err
	}
	a, err := client.VerifyOTP(c.ctx, pos[0], code)
	if err != nil {
		return err
	}
	return c.printAuthentication(cf, a)
}

func (c *cli) printAuthentication(cf *clientFlags, a *wrapper.Authentication) error {
	if cf.json {
		return writeJSON(c.stdout, a)
	}
	writeAuthentication(c.stdout, "", a)
	return nil
}

func (c *cli) list(args []string) error {
	f := newFlagSet("list", "[flags]",
		"List sessions created between -from and -to (whole days, UTC; both today by default).\n"+
			"One page by default; -all walks every page.")
	var (
		from, to                                    dateFlag
		status, channel, recipient, country, sortBy string
		order                                       string
		ids                                         listFlag
		limit, offset                               int
		all                                         bool
	)
	f.Var(&from, "from", "first `day`, YYYY-MM-DD (default today, UTC)")
	f.Var(&to, "to", "last `day`, YYYY-MM-DD (default today, UTC)")
	f.StringVar(&status, "status", "", "pending, verified, expired, failed or canceled")
	f.StringVar(&channel, "channel", "", "sms or viber")
	f.StringVar(&recipient, "recipient", "", "the recipient's phone `number`")
	f.StringVar(&country, "country", "", "ISO 3166-1 alpha-2 `code`, e.g. UA")
	f.Var(&ids, "ids", "at most 3 session `ids`, comma-separated")
	f.StringVar(&sortBy, "sort", "", "id, status, channel, recipient, created_at, finished_at or country_code")
	f.StringVar(&order, "order", "", "asc or desc")
	f.IntVar(&limit, "limit", 0, "page size, 10-500 (default 100)")
	f.IntVar(&offset, "offset", 0, "sessions to skip")
	f.BoolVar(&all, "all", false, "walk every page from -offset on")
	cf := addClientFlags(f)
	if _, err := f.parse(args); err != nil {
		return err
	}
	today, _ := time.Parse(time.DateOnly, c.now().UTC().Format(time.DateOnly))
	if from.t.IsZero() {
		from.t = today
	}
	if to.t.IsZero() {
		to.t = today
	}
	client, err := c.newClient(f, cf)
	if err != nil {
		return err
	}
	req := wrapper.ListAuthenticationsRequest{
		From: from.t, To: to.t, Offset: offset, Limit: limit, IDs: ids,
		Status: wrapper.Status(status), Channel: wrapper.Channel(channel), Recipient: recipient,
		CountryCode: country, SortBy: sortBy, Order: wrapper.SortOrder(order),
	}
	var page *wrapper.AuthenticationPage
	if all {
		page = &wrapper.AuthenticationPage{Items: []wrapper.Authentication{}}
		for a, err := range client.ListAuthentications(c.ctx, req) {
			if err != nil {
				return err
			}
			page.Items = append(page.Items, a)
		}
		page.Total = len(page.Items)
	} else if page, err = client.ListAuthenticationsPage(c.ctx, req); err != nil {
		return err
	}
	if cf.json {
		return writeJSON(c.stdout, page)
	}
	writeAuthentications(c.stdout, "", page.Items)
	fmt.Fprintf(c.stdout, "%s\n", pageSummary(len(page.Items), page.Total, offset, all, "session"))
	return nil
}

// pageSummary says how much of the list was shown: "2 sessions", "100 of 230 sessions from
// offset 0".
func pageSummary(shown, total, offset int, all bool, noun string) string {
	if all || (offset == 0 && shown == total) {
		return fmt.Sprintf("%d %s", shown, plural(shown, noun))
	}
	return fmt.Sprintf("%d of %d %s from offset %d", shown, total, plural(total, noun), offset)
}

func plural(n int, noun string) string {
	if n == 1 {
		return noun
	}
	return noun + "s"
}
