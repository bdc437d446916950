package verify_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"math/rand/v2"
	"net/http/httptest"
	"time"

	"github.com/go-bsg/bsg2fa/sandbox"
	"github.com/go-bsg/bsg2fa/verify"
	"github.com/go-bsg/bsg2fa/wrapper"
)

// A phone login from start to end, against the sandbox: send a code, refuse a double click,
// accept the code the user typed.
func Example() {
	sb := sandbox.New()
	ts := httptest.NewServer(sb)
	defer ts.Close()

	client, err := wrapper.New("sandbox-key", wrapper.WithBaseURL(ts.URL))
	if err != nil {
		log.Fatal(err)
	}
	v, err := verify.New(client, verify.Config{
		Sender:        "MyShop",
		TemplateID:    1,
		DefaultRegion: "UA",
	})
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	started, err := v.Start(ctx, verify.StartRequest{Phone: "(097) 996-50-73"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("sent:", started.Sent, "to", started.Phone, started.Country)

	again, _ := v.Start(ctx, verify.StartRequest{Phone: "+380 97 996 5073"})
	fmt.Println("double click sent:", again.Sent, "same verification:", again.ID == started.ID,
		"resend after", again.ResendAt.Sub(started.ExpiresAt.Add(-5*time.Minute)))

	code, _ := sb.LastCode(started.ID) // the user reads it from the SMS
	checked, err := v.Check(ctx, "0979965073", code)
	fmt.Println("check:", checked.Status, err)
	// Output:
	// sent: true to 380979965073 UA
	// double click sent: false same verification: true resend after 30s
	// check: verified <nil>
}

// Telling the outcomes of a Check apart.
func ExampleVerifier_Check() {
	// A seeded random source makes the sandbox's codes reproducible: none of the codes typed
	// below is the one sent.
	ts := httptest.NewServer(sandbox.New(sandbox.WithRand(rand.NewChaCha8([32]byte{'e', 'x'}))))
	defer ts.Close()
	client, _ := wrapper.New("sandbox-key", wrapper.WithBaseURL(ts.URL))
	v, _ := verify.New(client, verify.Config{Sender: "MyShop", TemplateID: 1})
	ctx := context.Background()
	if _, err := v.Start(ctx, verify.StartRequest{Phone: "+4915112345678"}); err != nil {
		log.Fatal(err)
	}

	for _, typed := range []string{"000000", "111111", "222222", "333333"} {
		got, err := v.Check(ctx, "+4915112345678", typed)
		switch {
		case err == nil:
			fmt.Println("welcome")
		case errors.Is(err, verify.ErrWrongCode):
			fmt.Println("wrong code,", got.AttemptsLeft, "attempts left")
		case errors.Is(err, verify.ErrTooManyAttempts):
			fmt.Println("too many attempts: ask for a new code")
		case errors.Is(err, verify.ErrExpired):
			fmt.Println("the code has expired: ask for a new one")
		case errors.Is(err, verify.ErrNoVerification):
			fmt.Println("no code was sent to this number")
		default:
			fmt.Println("try again later")
		}
	}
	again, _ := v.Start(ctx, verify.StartRequest{Phone: "+4915112345678"})
	fmt.Println("new code sent:", again.Sent, "attempts left:", again.AttemptsLeft)
	// Output:
	// wrong code, 2 attempts left
	// wrong code, 1 attempts left
	// too many attempts: ask for a new code
	// too many attempts: ask for a new code
	// new code sent: true attempts left: 3
}
