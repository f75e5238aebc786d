int f29789;
