package wrapper_test

import (
	"context"
	"fmt"
	"log"
	"net/http/httptest"

	"github.com/go-bsg/bsg2fa/sandbox"
	"github.com/go-bsg/bsg2fa/wrapper"
)

// The client against the sandbox, over real HTTP on a loopback port: a whole send → verify
// without an account, and without sending an SMS. The README quotes this example.
func Example_sandbox() {
	srv := sandbox.New(sandbox.WithAPIKey("test-key")) // sandbox.WithClock moves time in tests
	ts := httptest.NewServer(srv)
	defer ts.Close()

	client, err := wrapper.New("test-key", wrapper.WithBaseURL(ts.URL))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	auth, err := client.SendOTP(ctx, wrapper.SendOTPRequest{
		Recipient:  "+380 97 996 5073",
		Channel:    wrapper.ChannelSMS,
		Sender:     "MyShop",
		TemplateID: 1, // the sandbox's approved template
	})
	if err != nil {
		log.Fatal(err)
	}
	// The sandbox sends nothing: a test reads the code it would have sent.
	code, ok := srv.LastCode(auth.ID)
	if !ok {
		log.Fatal("no code for ", auth.ID)
	}
	verified, err := client.VerifyOTP(ctx, auth.ID, code)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(verified.Status, verified.Price, verified.Currency)
	// Output:
	// verified 0.02 USD
}
