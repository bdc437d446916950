package report_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"time"

	"github.com/go-bsg/bsg2fa/internal/testkit"
	"github.com/go-bsg/bsg2fa/report"
	"github.com/go-bsg/bsg2fa/sandbox"
	"github.com/go-bsg/bsg2fa/wrapper"
)

// ExampleBuild reports on a day of the sandbox: two codes entered in Ukraine, one sent to
// Germany and never entered.
func ExampleBuild() {
	ctx := context.Background()
	clock := testkit.NewClock()
	sb := sandbox.New(sandbox.WithClock(clock.Now))
	ts := httptest.NewServer(sb)
	defer ts.Close()
	client, err := wrapper.New("sandbox-key", wrapper.WithBaseURL(ts.URL))
	if err != nil {
		panic(err)
	}
	for _, to := range []string{"380501110001", "380501110002", "4915100000001"} {
		a, err := client.SendOTP(ctx, wrapper.SendOTPRequest{Recipient: to, Channel: wrapper.ChannelSMS, Sender: "Shop", TemplateID: 1})
		if err != nil {
			panic(err)
		}
		if a.CountryCode == "UA" {
			clock.Advance(7 * time.Second)
			code, _ := sb.LastCode(a.ID)
			if _, err := client.VerifyOTP(ctx, a.ID, code); err != nil {
				panic(err)
			}
		}
	}

	rep, err := report.Build(ctx, client, report.Request{From: clock.Now(), To: clock.Now(), By: []report.Dimension{report.Country}})
	if err != nil {
		panic(err)
	}
	for _, r := range rep.Rows {
		conv, _ := r.ConversionAll()
		fmt.Printf("%s: %d sessions, %.0f%% verified, spent %s\n", r.Country, r.Sessions, conv*100, r.Spend)
	}
	fmt.Println("total:", rep.Total.Spend)
	if err := rep.WriteTable(os.Stdout); err != nil {
		panic(err)
	}
	// Output:
	// DE: 1 sessions, 0% verified, spent 0.0642918 USD
	// UA: 2 sessions, 100% verified, spent 0.1685836 USD
	// total: 0.2328754 USD
	// One-time passwords 2026-11-02 to 2026-11-02, by country: 3 sessions
	//
	// COUNTRY  SESSIONS  VERIFIED  PENDING  EXPIRED  FAILED  CANCELED    CONV  CONV ALL  MESSAGES  VERIFY P50  VERIFY P90  SPEND USD
	// DE              1         0        1        0       0         0       -      0.0%         1           -           -  0.0642918
	// UA              2         2        0        0       0         0  100.0%    100.0%         2          7s          7s  0.1685836
	// TOTAL           3         2        1        0       0         0  100.0%     66.7%         3          7s          7s  0.2328754
	//
	// No suspects (at least 20 sessions and less than 20.0% verified).
}
