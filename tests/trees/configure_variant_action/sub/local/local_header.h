/* local */
#define GREETING "hi"
