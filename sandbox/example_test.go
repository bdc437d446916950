package sandbox_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/go-bsg/bsg2fa/sandbox"
)

// post sends a JSON body and decodes the JSON answer into out; it returns the status code.
func post(url, bearer, body string, out any) int {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewBufferString(body))
	if err != nil {
		panic(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil {
		_ = json.Unmarshal(raw, out)
	}
	return resp.StatusCode
}

// The whole flow over plain HTTP, as a client in any language would drive it: log in, send a
// code, read it back from the sandbox, verify it.
func Example() {
	start := time.Date(2024, 5, 10, 12, 0, 0, 0, time.UTC)
	srv := sandbox.New(
		sandbox.WithAPIKey("test-key"),
		sandbox.WithClock(func() time.Time { return start }),
		sandbox.WithRand(rand.NewChaCha8([32]byte{})), // reproducible codes and ids
	)
	ts := httptest.NewServer(srv)
	defer ts.Close()

	var login struct{ Bearer string }
	post(ts.URL+"/api/auth/login", "", `{"api_key":"test-key"}`, &login)

	var sent struct {
		Data struct {
			ID, Status, Price string
			CountryCode       string `json:"country_code"`
		}
	}
	status := post(ts.URL+"/api/2fa/authentications/otp", login.Bearer, `{"recipient":"380979965073",
		"channel":"sms","sender":"SENDER","template_id":1,"code_lifetime":300,"code_max_tries":3,"code_digits":5}`, &sent)
	fmt.Println("send:", status, sent.Data.Status, sent.Data.CountryCode, "price", sent.Data.Price)

	// Go tests read the code with LastCode; other languages GET /_sandbox/authentications/{id}/code.
	code, _ := srv.LastCode(sent.Data.ID)

	var wrong struct{ Errors []struct{ Message string } }
	status = post(ts.URL+"/api/2fa/authentications/otp/"+sent.Data.ID+"/verify", login.Bearer,
		`{"access_code":"000"}`, &wrong)
	fmt.Println("wrong code:", status, wrong.Errors[0].Message)

	var verified struct {
		Data struct{ Status, Price string }
	}
	status = post(ts.URL+"/api/2fa/authentications/otp/"+sent.Data.ID+"/verify", login.Bearer,
		`{"access_code":"`+code+`"}`, &verified)
	fmt.Println("right code:", status, verified.Data.Status, "price", verified.Data.Price)
	// Output:
	// send: 201 pending UA price 0
	// wrong code: 404 The code does not match the expected value
	// right code: 200 verified price 0,02
}

// A client's retry tested against the service's own error: the first send is answered 503
// with the document's ServerError body, the retry goes through, and the test reads the code
// by the phone number it sent to.
func ExampleServer_InjectFault() {
	srv := sandbox.New(sandbox.WithRand(rand.NewChaCha8([32]byte{})))
	ts := httptest.NewServer(srv)
	defer ts.Close()
	var login struct{ Bearer string }
	post(ts.URL+"/api/auth/login", "", `{"api_key":"any"}`, &login)

	if err := srv.InjectFault(sandbox.Fault{Operation: "sendOtp", Status: http.StatusServiceUnavailable}); err != nil {
		panic(err)
	}
	send := `{"recipient":"380979965073","channel":"sms","sender":"SENDER","template_id":1,
		"code_lifetime":300,"code_max_tries":3,"code_digits":5}`
	var failed struct{ Message string }
	fmt.Println("first send:", post(ts.URL+"/api/2fa/authentications/otp", login.Bearer, send, &failed), failed.Message)
	var sent struct{ Data struct{ ID string } }
	fmt.Println("retry:", post(ts.URL+"/api/2fa/authentications/otp", login.Bearer, send, &sent))

	code, id, ok := srv.CodeFor("+380 97 996 50 73")
	fmt.Println("code for the phone:", len(code), "digits, same session:", id == sent.Data.ID, ok)
	fmt.Println("outbox:", srv.Messages()[0].Text == "Your code is "+code)
	// Output:
	// first send: 503 2FA Service error.
	// retry: 201
	// code for the phone: 5 digits, same session: true true
	// outbox: true
}
