int f23363;
