package main

import "fmt"

// redact keeps secrets out of logs: only the length and the last two characters are shown.
func redact(secret string) string {
	if secret == "" {
		return "<empty>"
	}
	return fmt.Sprintf("<redacted:%d:..%s>", len(secret), secret[len(secret)-2:])
}
