// Package depwarm only imports the modules the project is about to use, so
// go.mod keeps them while the packages that need them are written. Delete it
// once every import here is used by a real package.
package depwarm
