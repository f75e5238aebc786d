int f_18330(){return 0;}
