package main

import "log"

func logSession(user string, auth_token string) {
	log.Printf("sync session for %s with auth_token=%s", user, auth_token)
}

func logDone(user string, auth_token string) {
	log.Printf("sync done for %s (token %s)", user, redact(auth_token))
}
