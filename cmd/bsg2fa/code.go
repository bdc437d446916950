package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-bsg/bsg2fa/sandbox"
)

// defaultSandboxURL is where "bsg2fa sandbox" listens by default.
const defaultSandboxURL = "http://127.0.0.1:8025"

// code prints the code a running sandbox last sent to a phone number, for scripts and tests:
// CODE=$(bsg2fa code -to +380501234567).
func (c *cli) code(args []string) error {
	f := newFlagSet("code", "-to PHONE [flags]",
		"Print the code a running sandbox (bsg2fa sandbox) most recently sent to PHONE, in any\n"+
			"form (+380 50 123 4567, 380501234567). It reads GET /_sandbox/recipients/{phone}/code,\n"+
			"so it needs no API key. It works only against the sandbox, never the real service.")
	var (
		to, base string
		timeout  time.Duration
		withID   bool
	)
	f.StringVar(&to, "to", "", "the recipient's `phone` number")
	f.StringVar(&base, "base-url", "", "the sandbox's `url` (default $BSG_BASE_URL, or "+defaultSandboxURL+")")
	f.DurationVar(&timeout, "timeout", 10*time.Second, "time limit of the HTTP exchange")
	f.BoolVar(&withID, "id", false, "print the session id before the code, separated by a space")
	if _, err := f.parse(args); err != nil {
		return err
	}
	number, ok := sandbox.NormalizePhone(to)
	switch {
	case to == "":
		return f.fail("-to is required")
	case !ok:
		return f.fail("-to %q is not a phone number (9 to 15 digits)", to)
	case timeout <= 0:
		return f.fail("-timeout must be positive")
	}
	if base == "" {
		base = c.getenv("BSG_BASE_URL")
	}
	if base == "" {
		base = defaultSandboxURL
	}
	u, err := url.Parse(strings.TrimRight(base, "/") + "/_sandbox/recipients/" + number + "/code")
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return f.fail("-base-url %q is not an http(s) URL", base)
	}

	ctx, cancel := context.WithTimeout(c.ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return fmt.Errorf("code: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("code: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return fmt.Errorf("code: %w", err)
	}
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNotFound:
		return fmt.Errorf("no code was sent to that number (or the server at %s is not a sandbox)", base)
	default:
		return fmt.Errorf("the sandbox answered HTTP %d", resp.StatusCode)
	}
	var got struct {
		Code             string `json:"code"`
		AuthenticationID string `json:"authentication_id"`
	}
	if err := json.Unmarshal(body, &got); err != nil || got.Code == "" {
		return fmt.Errorf("the server at %s did not answer like a sandbox", base)
	}
	if withID {
		fmt.Fprintf(c.stdout, "%s %s\n", got.AuthenticationID, got.Code)
		return nil
	}
	fmt.Fprintln(c.stdout, got.Code)
	return nil
}
