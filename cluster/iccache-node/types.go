package main

import sqldriver "database/sql/driver"

type drvConn = sqldriver.Conn
type drvDriver = sqldriver.Driver
