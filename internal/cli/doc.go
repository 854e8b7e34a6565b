// Package cli is rootguard's command tree. Run takes the arguments and the
// standard streams and returns the process exit code, so every command is
// tested in process. Each command resolves its flags into an options struct
// once, validates it, and calls the domain packages; nothing below cli reads
// flags or the environment.
package cli
