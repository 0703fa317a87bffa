package main

func benchCmd(args []string) error { return nil }
