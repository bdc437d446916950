package main

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDemo(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		wantStderr []string
	}{
		{"quiet", []string{"demo"}, nil},
		{"verbose", []string{"demo", "-v"}, []string{"msg=request", `msg="code sent"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, t.Context(), nil, "", tt.args...)
			require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
			for _, want := range []string{
				`BSG 2FA demo: a local sandbox at http://127\.0\.0\.1:\d+, in this process\.`,
				`== 1\. Send a code by SMS ==`,
				`status:\s+pending`,
				`errors\.Is\(err, wrapper\.ErrWrongCode\):\s+true`,
				`err\.Error\(\):\s+bsg2fa: 404 Not Found: The code does not match the expected value`,
				`apiErr\.StatusCode is 404`,
				`The sandbox shows the code it sent: \d{6}\n`,
				`status:\s+verified`,
				`price:\s+0\.02 USD`,
				`a\.Price\.String\(\) = "0\.02"`,
				`messages:\n\s+ID\s+STATUS`,
				`new code: \d{4}`,
				`status: canceled`,
				`errors\.Is\(err, wrapper\.ErrAuthenticationCanceled\): true`,
				`verified\s+sms\s+380501234567\s+UA\s+0\.02 USD`,
				`canceled\s+sms\s+351912345678\s+PT`,
				`  2 sessions\n`,
				`id: 2, status: requested`,
				`2\s+approved\s+Login code\s+PT,UA`,
				`template 2 deleted`,
				`The sandbox has shut down\.`,
			} {
				assert.Regexp(t, regexp.MustCompile(want), r.stdout)
			}
			if tt.wantStderr == nil {
				assert.Empty(t, r.stderr)
			}
			for _, want := range tt.wantStderr {
				assert.Contains(t, r.stderr, want)
			}
		})
	}
}
