int f25979;
int main(){}
