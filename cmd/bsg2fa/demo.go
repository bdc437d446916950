package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"time"

	"github.com/go-bsg/bsg2fa/sandbox"
	"github.com/go-bsg/bsg2fa/wrapper"
)

// The demo's sample data. The numbers are fictional; nothing is sent anywhere.
const (
	demoAPIKey    = "demo-api-key"
	demoRecipient = "+380 50 123 4567"
	demoOther     = "+351 912 345 678"
	demoSender    = "DemoShop"
)

// demoSeed makes the sandbox's ids and codes the same on every run, so the transcript reads
// the same too.
var demoSeed = [32]byte{'b', 's', 'g', '2', 'f', 'a', ' ', 'd', 'e', 'm', 'o'}

func (c *cli) demo(args []string) error {
	f := newFlagSet("demo", "[flags]",
		"Start a sandbox on a free loopback port, in this process, and tell the whole story through\n"+
			"the Go client: send a code, try a wrong one, verify the right one, show the session with\n"+
			"its messages and price, resend and cancel another, list today's sessions, and create,\n"+
			"approve, list and delete a template. Nothing leaves the machine.")
	var verbose bool
	f.BoolVar(&verbose, "v", false, "also log the sandbox's requests and codes to stderr")
	if _, err := f.parse(args); err != nil {
		return err
	}

	opts := []sandbox.Option{
		sandbox.WithAPIKey(demoAPIKey),
		sandbox.WithRand(rand.NewChaCha8(demoSeed)),
		sandbox.WithDeliveryDelay(0), // delivered at once: the story has no time to wait
	}
	if verbose {
		opts = append(opts, sandbox.WithLogger(slog.New(slog.NewTextHandler(c.stderr, nil))))
	}
	sb := sandbox.New(opts...)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{Handler: sb, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	baseURL := "http://" + ln.Addr().String()

	storyErr := (&demoStory{cli: c, w: c.stdout, sb: sb, baseURL: baseURL}).tell()

	// The story is over (or failed): stop serving before reporting either way.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(c.ctx), shutdownTimeout)
	defer cancel()
	shutErr := srv.Shutdown(sctx)
	if serr := <-done; !errors.Is(serr, http.ErrServerClosed) && serr != nil {
		shutErr = errors.Join(shutErr, serr)
	}
	if storyErr != nil {
		return storyErr
	}
	if shutErr != nil {
		return fmt.Errorf("shutdown: %w", shutErr)
	}
	fmt.Fprintln(c.stdout, "\nThe sandbox has shut down. Run your own with: bsg2fa sandbox -addr 127.0.0.1:8025")
	return nil
}

// demoStory is the demo's transcript, step by step.
type demoStory struct {
	cli     *cli
	w       io.Writer
	sb      *sandbox.Server
	baseURL string
	step    int
}

func (d *demoStory) heading(title string) {
	d.step++
	fmt.Fprintf(d.w, "\n== %d. %s ==\n", d.step, title)
}

func (d *demoStory) say(format string, args ...any) {
	fmt.Fprintf(d.w, format+"\n", args...)
}

func (d *demoStory) tell() error {
	ctx := d.cli.ctx
	d.say("BSG 2FA demo: a local sandbox at %s, in this process.", d.baseURL)
	d.say("No SMS is sent and nothing is charged; the sandbox shows the codes it \"sends\".")

	client, err := wrapper.New(demoAPIKey, wrapper.WithBaseURL(d.baseURL))
	if err != nil {
		return err
	}
	d.say("\nclient, err := wrapper.New(apiKey, wrapper.WithBaseURL(%q))", d.baseURL)
	d.say("The client logs in on its first call and keeps the bearer fresh; no login call is needed.")

	d.heading("Send a code by SMS")
	req := wrapper.SendOTPRequest{Recipient: demoRecipient, Channel: wrapper.ChannelSMS, Sender: demoSender, TemplateID: 1}
	d.say("a, err := client.SendOTP(ctx, wrapper.SendOTPRequest{Recipient: %q, Channel: wrapper.ChannelSMS,", req.Recipient)
	d.say("\tSender: %q, TemplateID: 1}) // lifetime 5m, 3 tries, 6 digits by default", req.Sender)
	a, err := client.SendOTP(ctx, req)
	if err != nil {
		return fmt.Errorf("send: %w", err)
	}
	writeFields(d.w, "  ", []field{
		{"id", a.ID}, {"status", string(a.Status)}, {"recipient", a.Recipient}, {"country", a.CountryCode},
		{"code digits", itoa(a.CodeDigits)}, {"code lifetime", duration(a.CodeLifetime)},
		{"code max tries", itoa(a.CodeMaxTries)}, {"expires at", when(a.ExpiredAt)},
	})

	code, ok := d.sb.LastCode(a.ID)
	if !ok {
		return errors.New("the sandbox has no code for the new session")
	}

	d.heading("The user types a wrong code")
	wrong := wrongCode(code)
	d.say("_, err = client.VerifyOTP(ctx, a.ID, %q)", wrong)
	_, err = client.VerifyOTP(ctx, a.ID, wrong)
	if !errors.Is(err, wrapper.ErrWrongCode) {
		return fmt.Errorf("verify with a wrong code: want ErrWrongCode, got %w", err)
	}
	lines := []field{
		{"err.Error()", err.Error()},
		{"errors.Is(err, wrapper.ErrWrongCode)", "true: ask again; the attempt counted (1 of 3)"},
	}
	var apiErr *wrapper.APIError
	if errors.As(err, &apiErr) {
		lines = append(lines, field{"errors.As(err, &apiErr)", fmt.Sprintf("true: apiErr.StatusCode is %d", apiErr.StatusCode)})
	}
	writeFields(d.w, "  ", lines)

	d.heading("The right code")
	d.say("The sandbox shows the code it sent: %s", code)
	d.say("  (Go: sandbox.Server.LastCode; any language: GET %s/_sandbox/authentications/{id}/code)", d.baseURL)
	d.say("a, err = client.VerifyOTP(ctx, a.ID, %q)", code)
	if a, err = client.VerifyOTP(ctx, a.ID, code); err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	writeFields(d.w, "  ", []field{{"status", string(a.Status)}, {"finished at", when(a.FinishedAt)}})

	d.heading("Status with messages and price")
	d.say("a, err = client.GetAuthentication(ctx, a.ID)")
	if a, err = client.GetAuthentication(ctx, a.ID); err != nil {
		return fmt.Errorf("status: %w", err)
	}
	writeAuthentication(d.w, "  ", a)
	d.say("  a.Price.String() = %q: an exact decimal (the service writes \"0,02\"), never a float", a.Price.String())

	d.heading("Resend and cancel")
	other := wrapper.SendOTPRequest{Recipient: demoOther, Channel: wrapper.ChannelSMS, Sender: demoSender, TemplateID: 1, CodeDigits: 4}
	d.say("b, err := client.SendOTP(ctx, wrapper.SendOTPRequest{Recipient: %q, …, CodeDigits: 4})", other.Recipient)
	b, err := client.SendOTP(ctx, other)
	if err != nil {
		return fmt.Errorf("send: %w", err)
	}
	first, _ := d.sb.LastCode(b.ID)
	d.say("  id: %s, status: %s, code: %s", b.ID, b.Status, first)
	d.say("b, err = client.ResendOTP(ctx, b.ID) // a new code; the old one stops working")
	if b, err = client.ResendOTP(ctx, b.ID); err != nil {
		return fmt.Errorf("resend: %w", err)
	}
	second, _ := d.sb.LastCode(b.ID)
	d.say("  status: %s, new code: %s", b.Status, second)
	d.say("b, err = client.CancelOTP(ctx, b.ID)")
	if b, err = client.CancelOTP(ctx, b.ID); err != nil {
		return fmt.Errorf("cancel: %w", err)
	}
	d.say("  status: %s", b.Status)
	d.say("_, err = client.VerifyOTP(ctx, b.ID, %q)", second)
	_, err = client.VerifyOTP(ctx, b.ID, second)
	if !errors.Is(err, wrapper.ErrAuthenticationCanceled) {
		return fmt.Errorf("verify a canceled session: want ErrAuthenticationCanceled, got %w", err)
	}
	d.say("  errors.Is(err, wrapper.ErrAuthenticationCanceled): true (%v)", err)

	d.heading("Today's sessions")
	today, _ := time.Parse(time.DateOnly, d.cli.now().UTC().Format(time.DateOnly))
	d.say("for a, err := range client.ListAuthentications(ctx, wrapper.ListAuthenticationsRequest{From: today, To: today,")
	d.say("\tSortBy: \"created_at\", Order: wrapper.Asc}) { … } // every page, 100 at a time")
	var sessions []wrapper.Authentication
	for s, err := range client.ListAuthentications(ctx, wrapper.ListAuthenticationsRequest{From: today, To: today, SortBy: "created_at", Order: wrapper.Asc}) {
		if err != nil {
			return fmt.Errorf("list: %w", err)
		}
		sessions = append(sessions, s)
	}
	writeAuthentications(d.w, "  ", sessions)
	d.say("  %d sessions", len(sessions))

	d.heading("Templates")
	treq := wrapper.CreateTemplateRequest{Name: "Login code", Text: "Your login code: {code2fa}", Countries: []string{"UA", "PT"}}
	d.say("t, err := client.CreateTemplate(ctx, wrapper.CreateTemplateRequest{Name: %q, Text: %q, Countries: []string{\"UA\", \"PT\"}})", treq.Name, treq.Text)
	t, err := client.CreateTemplate(ctx, treq)
	if err != nil {
		return fmt.Errorf("create template: %w", err)
	}
	d.say("  id: %d, status: %s", t.ID, t.Status)
	if err := d.sb.ApproveTemplate(t.ID); err != nil {
		return fmt.Errorf("approve template: %w", err)
	}
	d.say("BSG's manager approves it; here the sandbox does (any language: POST /_sandbox/templates/%d/approve)", t.ID)
	d.say("for t, err := range client.ListTemplates(ctx, wrapper.ListTemplatesRequest{SortBy: \"template_id\", Order: wrapper.Asc}) { … }")
	var templates []wrapper.Template
	for tt, err := range client.ListTemplates(ctx, wrapper.ListTemplatesRequest{SortBy: "template_id", Order: wrapper.Asc}) {
		if err != nil {
			return fmt.Errorf("list templates: %w", err)
		}
		templates = append(templates, tt)
	}
	writeTemplates(d.w, "  ", templates)
	d.say("err = client.DeleteTemplate(ctx, %d)", t.ID)
	if err := client.DeleteTemplate(ctx, t.ID); err != nil {
		return fmt.Errorf("delete template: %w", err)
	}
	d.say("  template %d deleted", t.ID)
	return nil
}

// wrongCode returns a code of the same length that differs from code in its last digit.
func wrongCode(code string) string {
	if code == "" {
		return "000000"
	}
	b := []byte(code)
	last := b[len(b)-1]
	if last < '0' || last > '9' {
		last = '0'
	}
	b[len(b)-1] = '0' + (last-'0'+1)%10
	return string(b)
}
