package verify_test

import (
	"context"
	"errors"
	"expvar"
	"fmt"
	"log"
	"net/http/httptest"
	"net/netip"
	"time"

	"github.com/go-bsg/bsg2fa/sandbox"
	"github.com/go-bsg/bsg2fa/verify"
	"github.com/go-bsg/bsg2fa/wrapper"
)

// verifyEvents is published at /debug/vars by any program that serves expvar's handler.
var verifyEvents = expvar.NewMap("bsg2fa_verify_events")

// Counting the Verifier's events with expvar, which serves them at /debug/vars: codes sent and
// entered, and the guard's blocks by reason, apart from what DryRun or a safe phone let through.
func ExampleConfig_onEvent() {
	ts := httptest.NewServer(sandbox.New())
	defer ts.Close()
	client, err := wrapper.New("sandbox-key", wrapper.WithBaseURL(ts.URL))
	if err != nil {
		log.Fatal(err)
	}

	events := verifyEvents.Init() // Init empties the map, for this example only
	guard := verify.DefaultGuard()
	guard.PerIP = []verify.Limit{{Count: 2, Per: time.Hour}}
	v, err := verify.New(client, verify.Config{
		Sender:     "MyShop",
		TemplateID: 1,
		Guard:      guard,
		OnEvent: func(e verify.Event) {
			name := string(e.Kind)
			switch {
			case e.Kind == verify.EventBlocked && e.Enforced():
				name += "_" + string(e.Reason)
			case e.Kind == verify.EventBlocked:
				name = "would_block_" + string(e.Reason) // DryRun or a safe phone: sent anyway
			}
			events.Add(name, 1)
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	ip := netip.MustParseAddr("198.51.100.20")

	for _, phone := range []string{"+380979965073", "+4915112345678", "+380631234567", "+44 900 123 4567"} {
		_, err := v.Start(ctx, verify.StartRequest{Phone: phone, IP: ip})
		var blocked *verify.BlockedError
		if errors.As(err, &blocked) {
			// Answer 429 Too Many Requests with Retry-After when blocked.RetryAfter > 0.
			fmt.Printf("%s: blocked (%s), retry after %s\n", blocked.Phone, blocked.Reason, blocked.RetryAfter.Round(time.Minute))
		}
	}
	fmt.Println(events)
	// Output:
	// 380******567: blocked (ip_rate), retry after 1h0m0s
	// 449******567: blocked (number_type), retry after 0s
	// {"blocked_ip_rate": 1, "blocked_number_type": 1, "sent": 2}
}
