int f5263;
