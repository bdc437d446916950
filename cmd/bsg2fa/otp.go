package main

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/go-bsg/bsg2fa/wrapper"
)

// sandboxSender is the sender send uses against a loopback address when none is given.
const sandboxSender = "bsg2fa"

func (c *cli) send(args []string) error {
	f := newFlagSet("send", "-to NUMBER -sender NAME -template ID [flags]",
		"Send a one-time password and print the new session. Its id is what verify, resend,\ncancel and status take.\n\n"+
			"The real service has no default template or sender: give -template and -sender (or set\n"+
			"BSG_TEMPLATE_ID and BSG_SENDER). Against a loopback address (a sandbox) they default to\n"+
			"the sandbox's template 1 and the sender "+sandboxSender+".")
	var (
		to, channel, sender, senderAlt string
		template, tries, digits        int
		lifetime                       time.Duration
	)
	f.StringVar(&to, "to", "", "the recipient's phone `number` in international form, e.g. +380501234567 (required)")
	f.StringVar(&channel, "channel", "sms", "sms or viber")
	f.StringVar(&sender, "sender", "", "the sender `name` (3-11 characters) or number (3-15 digits) (default $BSG_SENDER; required)")
	f.StringVar(&senderAlt, "sender-alt", "", "viber only: the SMS sender `name` used when Viber cannot deliver")
	f.IntVar(&template, "template", 0, "the approved template's `id` (default $BSG_TEMPLATE_ID; required)")
	f.DurationVar(&lifetime, "lifetime", 5*time.Minute, "how long the code stays valid, 30s-5m")
	f.IntVar(&tries, "tries", 3, "verification attempts allowed, 1-5")
	f.IntVar(&digits, "digits", 6, "length of the code, 3-9")
	cf := addClientFlags(f)
	if _, err := f.parse(args); err != nil {
		return err
	}
	c.nameFields(
		fieldRule{field: "Recipient", flag: "-to"}, fieldRule{field: "recipient", flag: "-to"},
		fieldRule{field: "Channel", flag: "-channel"}, fieldRule{field: "channel", flag: "-channel"},
		fieldRule{field: "Sender", flag: "-sender"}, fieldRule{field: "sender", flag: "-sender"},
		fieldRule{field: "SenderAlt", flag: "-sender-alt"}, fieldRule{field: "sender_alt", flag: "-sender-alt"},
		fieldRule{field: "TemplateID", flag: "-template"}, fieldRule{field: "template_id", flag: "-template"},
		fieldRule{field: "CodeLifetime", flag: "-lifetime", reason: "must be 30s to 5m, in whole seconds"},
		fieldRule{field: "code_lifetime", flag: "-lifetime"},
		fieldRule{field: "CodeMaxTries", flag: "-tries"}, fieldRule{field: "code_max_tries", flag: "-tries"},
		fieldRule{field: "CodeDigits", flag: "-digits"}, fieldRule{field: "code_digits", flag: "-digits"},
	)
	loopback := isLoopbackURL(c.baseURL(cf))
	if to == "" {
		return f.failField("-to", "-to is required")
	}
	if sender == "" {
		sender = c.getenv("BSG_SENDER")
	}
	if sender == "" {
		if !loopback {
			return f.failField("-sender", "-sender is required (or set BSG_SENDER)")
		}
		sender = sandboxSender
	}
	if !f.isSet("template") {
		switch env := c.getenv("BSG_TEMPLATE_ID"); {
		case env != "":
			id, err := strconv.Atoi(env)
			if err != nil {
				return f.failField("BSG_TEMPLATE_ID", "BSG_TEMPLATE_ID: %q is not a template id", env)
			}
			template = id
		case loopback:
			template = 1
		default:
			return f.failField("-template", "-template is required (or set BSG_TEMPLATE_ID): the service has no default template")
		}
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

// sessionCommand is resend, cancel and status: one positional id, one call, then print.
func (c *cli) sessionCommand(args []string, name, about string, call func(*wrapper.Client, string) (*wrapper.Authentication, error),
	show func(*clientFlags, *wrapper.Authentication) error) error {
	f := newFlagSet(name, "[flags] ID", about)
	cf := addClientFlags(f)
	pos, err := f.parse(args, "ID")
	if err != nil {
		return err
	}
	c.nameFields()
	client, err := c.newClient(f, cf)
	if err != nil {
		return err
	}
	a, err := call(client, pos[0])
	if err != nil {
		return err
	}
	return show(cf, a)
}

func (c *cli) resend(args []string) error {
	return c.sessionCommand(args, "resend",
		"Send a new code for a pending session; the previous code stops working.",
		func(cl *wrapper.Client, id string) (*wrapper.Authentication, error) { return cl.ResendOTP(c.ctx, id) },
		c.printAuthentication)
}

func (c *cli) cancel(args []string) error {
	return c.sessionCommand(args, "cancel", "Cancel a pending session.",
		func(cl *wrapper.Client, id string) (*wrapper.Authentication, error) { return cl.CancelOTP(c.ctx, id) },
		c.printAuthentication)
}

func (c *cli) status(args []string) error {
	return c.sessionCommand(args, "status",
		"Show a session with its messages and price, the codes sent and the attempts used, and\n"+
			"what can be done with it next.",
		func(cl *wrapper.Client, id string) (*wrapper.Authentication, error) {
			return cl.GetAuthentication(c.ctx, id)
		},
		c.printStatus)
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
	c.nameFields()
	if code != "" {
		c.flagOf["Code"] = "-code"
	}
	switch {
	case len(pos) == 2 && code != "":
		return f.fail("give the code either as an argument or with -code, not both")
	case len(pos) == 2:
		code = pos[1]
	case code == "":
		return f.failField("CODE", "missing argument: the code (or -code)")
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

// printStatus is printAuthentication with the progress of the session and what can be done
// next; the JSON form is the session alone, as the service reports it.
func (c *cli) printStatus(cf *clientFlags, a *wrapper.Authentication) error {
	if cf.json {
		return writeJSON(c.stdout, a)
	}
	writeSession(c.stdout, "", a, statusFields(a, c.now()))
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
	c.nameFields(
		fieldRule{field: "From", flag: "-from", reason: "must not be after -to"}, fieldRule{field: "To", flag: "-to"},
		fieldRule{field: "Offset", flag: "-offset"}, fieldRule{field: "Limit", flag: "-limit"},
		fieldRule{field: "IDs", flag: "-ids"}, fieldRule{field: "Status", flag: "-status"},
		fieldRule{field: "Channel", flag: "-channel"}, fieldRule{field: "Recipient", flag: "-recipient"},
		fieldRule{field: "CountryCode", flag: "-country"}, fieldRule{field: "SortBy", flag: "-sort"},
		fieldRule{field: "Order", flag: "-order"},
	)
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
