package detect

import (
	"errors"
	"time"
)

type failure struct {
	at  time.Time
	id  string
	src Source
}

type assumeRootCall struct{ caller, target, policy string }

var registry []*Rule

var needles = [][]byte{[]byte("Root"), []byte("PasswordRecovery"), []byte("Contact"), []byte("PrimaryEmail")}

func decodeRecord(data []byte) (*Record, error) {
	return nil, errors.New("decode record: not implemented yet")
}

func (e *Engine) observe(r *Record, src Source) []Alert { return nil }

func (e *Engine) flush() []Alert { return nil }

func interesting(raw []byte) bool { return true }
